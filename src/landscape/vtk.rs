//! Landscapes and films as VTK XML structured grids (`.vts`), with a `.pvd` collection that
//! gives each frame its step as time: ParaView opens them as a height field it can play.
//! ASCII, so the files are plain text a reader in a test (or a person) can check.

use std::fmt::Write as _;
use std::path::Path;

use ndarray::{ArrayView1, ArrayView2};

use crate::files::write_atomically;

/// Write one surface as a structured grid: the points are (α, β, value) so the grid is the
/// height field itself, and `objective` and `stderr` are point data.
pub fn write_vts(
    path: &Path,
    alpha: ArrayView1<f64>,
    beta: ArrayView1<f64>,
    values: ArrayView2<f64>,
    stderr: ArrayView2<f64>,
) -> std::io::Result<()> {
    let (nx, ny) = (alpha.len(), beta.len());
    if values.dim() != (ny, nx) || stderr.dim() != (ny, nx) {
        return Err(std::io::Error::other(format!(
            "values {:?} do not match beta × alpha = ({ny}, {nx})",
            values.dim()
        )));
    }
    let extent = format!("0 {} 0 {} 0 0", nx - 1, ny - 1);
    let mut text = String::with_capacity(nx * ny * 80);
    text.push_str("<?xml version=\"1.0\"?>\n");
    text.push_str(
        "<VTKFile type=\"StructuredGrid\" version=\"0.1\" byte_order=\"LittleEndian\">\n",
    );
    let _ = writeln!(text, "  <StructuredGrid WholeExtent=\"{extent}\">");
    let _ = writeln!(text, "    <Piece Extent=\"{extent}\">");
    text.push_str("      <PointData Scalars=\"objective\">\n");
    for (name, array) in [("objective", values), ("stderr", stderr)] {
        let _ = writeln!(
            text,
            "        <DataArray type=\"Float64\" Name=\"{name}\" format=\"ascii\">"
        );
        // x varies fastest in VTK's point order: row by row over β.
        for row in array.rows() {
            text.push_str("         ");
            for v in row {
                let _ = write!(text, " {v:e}");
            }
            text.push('\n');
        }
        text.push_str("        </DataArray>\n");
    }
    text.push_str("      </PointData>\n      <Points>\n");
    text.push_str(
        "        <DataArray type=\"Float64\" NumberOfComponents=\"3\" format=\"ascii\">\n",
    );
    for (j, &b) in beta.iter().enumerate() {
        for (i, &a) in alpha.iter().enumerate() {
            let _ = writeln!(text, "          {a:e} {b:e} {:e}", values[[j, i]]);
        }
    }
    text.push_str(
        "        </DataArray>\n      </Points>\n    </Piece>\n  </StructuredGrid>\n</VTKFile>\n",
    );
    write_atomically(path, |f| std::io::Write::write_all(f, text.as_bytes()))
}

/// Write a `.pvd` collection listing `files` (relative to the collection) at `times`.
pub fn write_pvd(path: &Path, entries: &[(f64, String)]) -> std::io::Result<()> {
    let mut text = String::from(
        "<?xml version=\"1.0\"?>\n<VTKFile type=\"Collection\" version=\"0.1\">\n  <Collection>\n",
    );
    for (time, file) in entries {
        let _ = writeln!(
            text,
            "    <DataSet timestep=\"{time}\" group=\"\" part=\"0\" file=\"{file}\"/>"
        );
    }
    text.push_str("  </Collection>\n</VTKFile>\n");
    write_atomically(path, |f| std::io::Write::write_all(f, text.as_bytes()))
}

/// Every computed frame of `film` as `frame-NNN.vts` beside `pvd`, and `pvd` itself listing
/// them with the steps as times; the number of frames written.
pub fn write_film_vtk(film: &super::Film, pvd: &Path) -> std::io::Result<usize> {
    let dir = match pvd.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let mut entries = Vec::new();
    for j in (0..film.frames()).filter(|&j| film.is_done(j)) {
        let name = format!("frame-{:03}.vts", j + 1);
        let v = film.values.index_axis(ndarray::Axis(0), j);
        let e = film.stderr.index_axis(ndarray::Axis(0), j);
        write_vts(&dir.join(&name), film.alpha.view(), film.beta.view(), v, e)?;
        entries.push((film.settings.frame_steps[j] as f64, name));
    }
    write_pvd(pvd, &entries)?;
    Ok(entries.len())
}
