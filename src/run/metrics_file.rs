//! `metrics.csv`, through the csv crate with full precision (shortest round-trip floats), so an
//! opened run shows the numbers the live one did. A crash can leave a partial last line: it is
//! dropped with a warning that names it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::RunError;
use crate::anneal::StepMetrics;

/// Appends one flushed line per step.
pub struct MetricsWriter {
    path: PathBuf,
    csv: csv::Writer<File>,
}

impl MetricsWriter {
    /// A new `metrics.csv` with its header.
    pub fn create(path: &Path) -> Result<Self, RunError> {
        let file = File::create(path).map_err(|e| RunError::io(path, e))?;
        let mut csv = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(file);
        csv.write_record(StepMetrics::COLUMNS)
            .and_then(|_| Ok(csv.flush()?))
            .map_err(|e| RunError::io(path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            csv,
        })
    }

    /// Continue an existing `metrics.csv` after its last whole line.
    pub fn append(path: &Path) -> Result<Self, RunError> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| RunError::io(path, e))?;
        let csv = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(file);
        Ok(Self {
            path: path.to_path_buf(),
            csv,
        })
    }

    /// Write one step's row and flush it, so a crash keeps every finished step.
    pub fn write(&mut self, metrics: &StepMetrics) -> Result<(), RunError> {
        self.csv
            .serialize(metrics)
            .and_then(|_| Ok(self.csv.flush()?))
            .map_err(|e| RunError::io(&self.path, e))
    }
}

/// Write `rows` as a whole `metrics.csv` (header included) to `w`, as a run writes it.
pub fn write_metrics(w: impl Write, rows: &[StepMetrics]) -> std::io::Result<()> {
    let mut csv = csv::WriterBuilder::new().has_headers(false).from_writer(w);
    csv.write_record(StepMetrics::COLUMNS)?;
    for row in rows {
        csv.serialize(row)?;
    }
    csv.flush()
}

/// The steps of a `metrics.csv` and what was dropped reading it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricsTable {
    /// Every whole row, in order.
    pub rows: Vec<StepMetrics>,
    /// Set when the last line was partial (a crash mid-write) and was left out.
    pub warning: Option<String>,
}

/// The whole lines of `text` (the bytes up to the last newline) and the partial line's number.
fn whole_lines(text: &str) -> (&str, Option<usize>) {
    match text.rfind('\n') {
        Some(end) if end + 1 == text.len() => (text, None),
        Some(end) => (&text[..=end], Some(text[..=end].matches('\n').count() + 1)),
        None if text.is_empty() => (text, None),
        None => ("", Some(1)),
    }
}

/// Every whole step of `metrics.csv`, read by column name. A partial last line is left out with
/// a warning; a value that cannot be read, or is not finite, is an error naming line and column.
pub fn read_metrics(path: &Path) -> Result<MetricsTable, RunError> {
    // Columns added later (the free-energy gap, recent ground states) may be absent.
    let required: Vec<&str> = StepMetrics::COLUMNS
        .into_iter()
        .filter(|c| !StepMetrics::LATER_COLUMNS.contains(c))
        .collect();
    let (rows, warning) = read_rows(path, &required, StepMetrics::non_finite_column)?;
    Ok(MetricsTable { rows, warning })
}

/// The whole rows of a CSV file with a step per line, read by column name into `T`; the
/// `required` columns must be in the header, and `non_finite` names a value that is NaN or
/// infinite. Returns the rows and the warning for a partial last line.
pub fn read_rows<T: serde::de::DeserializeOwned>(
    path: &Path,
    required: &[&str],
    non_finite: impl Fn(&T) -> Option<&'static str>,
) -> Result<(Vec<T>, Option<String>), RunError> {
    let text = std::fs::read_to_string(path).map_err(|e| RunError::io(path, e))?;
    let (whole, partial) = whole_lines(&text);
    let table = |line: usize, message: String| RunError::Table {
        path: path.to_path_buf(),
        line,
        message,
    };
    if whole.is_empty() {
        return Err(table(1, "no header line: the run wrote nothing".into()));
    }
    let mut reader = csv::ReaderBuilder::new().from_reader(whole.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| table(1, e.to_string()))?
        .clone();
    if let Some(missing) = required.iter().find(|c| !header.iter().any(|h| h == **c)) {
        return Err(table(1, format!("no column '{missing}'")));
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| table(line, e.to_string()))?;
        let row: T = record.deserialize(Some(&header)).map_err(|e| {
            let column = match e.kind() {
                csv::ErrorKind::Deserialize { err, .. } => err
                    .field()
                    .and_then(|f| header.get(f as usize))
                    .map(|c| format!("column '{c}': {}", err.kind()))
                    .unwrap_or_else(|| err.kind().to_string()),
                other => format!("{other:?}"),
            };
            table(line, column)
        })?;
        if let Some(column) = non_finite(&row) {
            return Err(table(
                line,
                format!("column '{column}' is not a finite number"),
            ));
        }
        rows.push(row);
    }
    let warning = partial.map(|line| {
        format!(
            "{} line {line} is partial (the run was interrupted mid-write) and was left out",
            path.display()
        )
    });
    Ok((rows, warning))
}

/// How many rows with a step below `steps` `metrics.csv` holds in order from its first row (a
/// resumed run needs all `steps` of them).
pub fn steps_before(path: &Path, steps: usize) -> Result<usize, RunError> {
    let text = std::fs::read_to_string(path).map_err(|e| RunError::io(path, e))?;
    let (whole, _) = whole_lines(&text);
    Ok(whole
        .lines()
        .skip(1)
        .map(|line| {
            line.split(',')
                .next()
                .and_then(|s| s.trim().parse::<usize>().ok())
        })
        .enumerate()
        .take_while(|(i, step)| *step == Some(*i) && *i < steps)
        .count())
}

/// Cut `metrics.csv` (or any table whose first column is the step) back to its header and the
/// steps before `steps` (a resumed run continues from there); a partial last line goes too.
pub fn truncate_metrics(path: &Path, steps: usize) -> Result<(), RunError> {
    let text = std::fs::read_to_string(path).map_err(|e| RunError::io(path, e))?;
    let (whole, _) = whole_lines(&text);
    let mut keep = 0;
    for (i, line) in whole.split_inclusive('\n').enumerate() {
        let step = line
            .split(',')
            .next()
            .and_then(|s| s.trim().parse::<usize>().ok());
        match (i, step) {
            (0, _) => {}
            (_, Some(s)) if s < steps => {}
            _ => break,
        }
        keep += line.len();
    }
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| RunError::io(path, e))?;
    file.set_len(keep as u64)
        .and_then(|_| file.sync_all())
        .map_err(|e| RunError::io(path, e))?;
    let mut file = file;
    file.flush().map_err(|e| RunError::io(path, e))
}

/// Rewrite a `metrics.csv` written before its later columns existed under today's header, so
/// the rows a resumed run appends line up with it (the old rows read the new columns as empty).
/// Written atomically: a crash leaves the old file or the new one.
pub fn upgrade_metrics_header(path: &Path) -> Result<(), RunError> {
    let text = std::fs::read_to_string(path).map_err(|e| RunError::io(path, e))?;
    let header = text.lines().next().unwrap_or("");
    if header.trim_end() == StepMetrics::COLUMNS.join(",") {
        return Ok(());
    }
    let table = read_metrics(path)?;
    crate::files::write_atomically(path, |w| write_metrics(w, &table.rows))
        .map_err(|e| RunError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_lines_drop_only_a_partial_tail() {
        assert_eq!(whole_lines("a\nb\n"), ("a\nb\n", None));
        assert_eq!(whole_lines("a\nb\nc,1"), ("a\nb\n", Some(3)));
        assert_eq!(whole_lines("abc"), ("", Some(1)));
        assert_eq!(whole_lines(""), ("", None));
    }

    #[test]
    fn a_file_from_before_a_later_column_is_cut_back_under_todays_header() {
        let dir = std::env::temp_dir().join(format!(
            "annealscape-metrics-upgrade-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("metrics.csv");
        // Three steps under the header of a build that had no entropy_temperature column.
        let old: Vec<&str> = StepMetrics::COLUMNS
            .into_iter()
            .filter(|c| *c != "entropy_temperature")
            .collect();
        let row = |step: usize| {
            old.iter()
                .map(|c| match *c {
                    "step" => step.to_string(),
                    "phase" => "anneal".into(),
                    "distinct_samples" | "ground_states_found" | "ground_states_recent" => {
                        "3".into()
                    }
                    "local_tail" | "local_tail_deviation" | "local_tail_log_p" => String::new(),
                    "free_energy_gap" | "free_energy_gap_stderr" => String::new(),
                    _ => "0.5".into(),
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        let text = format!("{}\n{}\n{}\n{}\n", old.join(","), row(0), row(1), row(2));
        std::fs::write(&path, text).unwrap();
        truncate_metrics(&path, 2).unwrap();
        upgrade_metrics_header(&path).unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            written.lines().next().unwrap(),
            StepMetrics::COLUMNS.join(",")
        );
        let table = read_metrics(&path).unwrap();
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[1].step, 1);
        assert_eq!(table.rows[1].entropy_temperature, None);
        assert_eq!(table.rows[1].energy_mean, 0.5);
        // A row appended now lines up with the header.
        let mut writer = MetricsWriter::append(&path).unwrap();
        let mut next = table.rows[1].clone();
        next.step = 2;
        next.entropy_temperature = Some(0.25);
        writer.write(&next).unwrap();
        let table = read_metrics(&path).unwrap();
        assert_eq!(table.rows.len(), 3);
        assert_eq!(table.rows[2].entropy_temperature, Some(0.25));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
