//! Named parameter tensors stored in one flat vector.
//!
//! Every tensor is a view into a single `Array1<f64>`, so the vector-space operations the
//! optimiser and the landscape need (axpy, dot, norm, flattening) are one loop each, while
//! the network reads its matrices as ordinary 2D views.

use ndarray::{Array1, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Zip};
use thiserror::Error;

/// Parameters that do not fit the layout they are meant for.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum LayoutError {
    /// A flat vector of the wrong length.
    #[error("flat vector has {found} entries, the parameters have {expected}")]
    Length {
        /// Entries given.
        found: usize,
        /// Entries the layout has.
        expected: usize,
    },
    /// Tensors named or shaped for another network.
    #[error("parameters do not match a {cell} network with {hidden} hidden units")]
    Network {
        /// The cell expected (`network.cell`).
        cell: &'static str,
        /// The hidden width expected.
        hidden: usize,
    },
    /// The code symmetry asked for on a lattice whose code is too large.
    #[error("network.symmetry averages over the 2^k ground states of L = {size}, more than 2^{max} (each log p would cost 2^k passes): use network.symmetry = \"none\" at this size", max = crate::nn::code_symmetry::MAX_CODE_WORDS_LOG2)]
    Symmetry {
        /// L.
        size: usize,
    },
}
/// Name and shape of one tensor: a matrix `[rows, cols]` in the row-vector convention
/// (inputs × outputs) or a vector `[len]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorSpec {
    /// Documented name, e.g. `rnn2d/U_left`.
    pub name: String,
    /// Shape: one or two dimensions.
    pub shape: Vec<usize>,
}

impl TensorSpec {
    /// A matrix of `rows` inputs × `cols` outputs.
    pub fn matrix(name: &str, rows: usize, cols: usize) -> Self {
        Self {
            name: name.to_string(),
            shape: vec![rows, cols],
        }
    }

    /// A vector of length `len`.
    pub fn vector(name: &str, len: usize) -> Self {
        Self {
            name: name.to_string(),
            shape: vec![len],
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the tensor has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One filter: the weights feeding one output unit of a matrix (one column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filter {
    /// Index of the tensor in the parameter list.
    pub tensor: usize,
    /// Output unit (column).
    pub unit: usize,
}

/// Ordered, named tensors sharing one flat `f64` vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    specs: Vec<TensorSpec>,
    offsets: Vec<usize>,
    data: Array1<f64>,
}

impl Params {
    /// All-zero tensors of the given specs.
    pub fn zeros(specs: Vec<TensorSpec>) -> Self {
        let mut offsets = Vec::with_capacity(specs.len());
        let mut total = 0;
        for s in &specs {
            offsets.push(total);
            total += s.len();
        }
        Self {
            specs,
            offsets,
            data: Array1::zeros(total),
        }
    }

    /// Zeros with the same layout as `self`.
    pub fn zeros_like(&self) -> Self {
        Self {
            specs: self.specs.clone(),
            offsets: self.offsets.clone(),
            data: Array1::zeros(self.data.len()),
        }
    }

    /// The same layout holding `flat` (which must have [`Params::len`] entries).
    pub fn with_flat(&self, flat: Array1<f64>) -> Result<Self, LayoutError> {
        if flat.len() != self.data.len() {
            return Err(LayoutError::Length {
                found: flat.len(),
                expected: self.data.len(),
            });
        }
        Ok(Self {
            specs: self.specs.clone(),
            offsets: self.offsets.clone(),
            data: flat,
        })
    }

    /// The tensor specs in order.
    pub fn specs(&self) -> &[TensorSpec] {
        &self.specs
    }

    /// Total number of parameters.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Position of the tensor called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.specs.iter().position(|s| s.name == name)
    }

    /// Offset of tensor `i` in the flat vector.
    pub fn offset(&self, i: usize) -> usize {
        self.offsets[i]
    }

    /// All parameters as one vector.
    pub fn flat(&self) -> ArrayView1<'_, f64> {
        self.data.view()
    }

    /// All parameters as one mutable vector.
    pub fn flat_mut(&mut self) -> ArrayViewMut1<'_, f64> {
        self.data.view_mut()
    }

    /// A copy of all parameters as one vector.
    pub fn to_flat(&self) -> Array1<f64> {
        self.data.clone()
    }

    fn range(&self, i: usize) -> std::ops::Range<usize> {
        self.offsets[i]..self.offsets[i] + self.specs[i].len()
    }

    /// Tensor `i` as a flat slice.
    pub fn slice(&self, i: usize) -> &[f64] {
        let r = self.range(i);
        &self.data.as_slice().expect("flat storage")[r]
    }

    /// Tensor `i` as a mutable flat slice.
    pub fn slice_mut(&mut self, i: usize) -> &mut [f64] {
        let r = self.range(i);
        &mut self.data.as_slice_mut().expect("flat storage")[r]
    }

    /// Tensor `i` as a matrix view; a vector is seen as one row.
    pub fn matrix(&self, i: usize) -> ArrayView2<'_, f64> {
        let (rows, cols) = self.matrix_shape(i);
        ArrayView2::from_shape((rows, cols), self.slice(i)).expect("shape matches length")
    }

    /// Tensor `i` as a mutable matrix view; a vector is seen as one row.
    pub fn matrix_mut(&mut self, i: usize) -> ArrayViewMut2<'_, f64> {
        let (rows, cols) = self.matrix_shape(i);
        ArrayViewMut2::from_shape((rows, cols), self.slice_mut(i)).expect("shape matches length")
    }

    fn matrix_shape(&self, i: usize) -> (usize, usize) {
        match self.specs[i].shape[..] {
            [rows, cols] => (rows, cols),
            [len] => (1, len),
            _ => unreachable!("tensors have one or two dimensions"),
        }
    }

    /// Tensor `i` as a vector view (matrices are flattened row by row).
    pub fn vector(&self, i: usize) -> ArrayView1<'_, f64> {
        ArrayView1::from(self.slice(i))
    }

    /// self ← self + a·x.
    pub fn axpy(&mut self, a: f64, x: &Params) {
        self.data.scaled_add(a, &x.data);
    }

    /// self ← a·self.
    pub fn scale(&mut self, a: f64) {
        self.data *= a;
    }

    /// Set every entry to zero.
    pub fn fill_zero(&mut self) {
        self.data.fill(0.0);
    }

    /// Euclidean inner product with `other`.
    pub fn dot(&self, other: &Params) -> f64 {
        self.data.dot(&other.data)
    }

    /// Euclidean norm.
    pub fn norm(&self) -> f64 {
        self.dot(self).sqrt()
    }

    /// Whether every entry is finite.
    pub fn is_finite(&self) -> bool {
        self.data.iter().all(|x| x.is_finite())
    }

    /// Elementwise map of two parameter sets into `self`.
    pub fn zip_apply(&mut self, other: &Params, f: impl Fn(&mut f64, f64)) {
        Zip::from(&mut self.data)
            .and(&other.data)
            .for_each(|a, &b| f(a, b));
    }

    /// Every filter of every matrix: the column of weights feeding each output unit.
    /// Vectors (biases) have no filters.
    pub fn filters(&self) -> Vec<Filter> {
        self.specs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.shape.len() == 2)
            .flat_map(|(tensor, s)| (0..s.shape[1]).map(move |unit| Filter { tensor, unit }))
            .collect()
    }

    /// Flat indices of the entries of `filter`.
    pub fn filter_indices(&self, filter: Filter) -> impl Iterator<Item = usize> {
        let (rows, cols) = self.matrix_shape(filter.tensor);
        let base = self.offsets[filter.tensor] + filter.unit;
        (0..rows).map(move |r| base + r * cols)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Params {
        let mut p = Params::zeros(vec![
            TensorSpec::matrix("a", 3, 2),
            TensorSpec::vector("b", 2),
        ]);
        p.flat_mut()
            .iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = i as f64);
        p
    }

    #[test]
    fn tensors_are_views_into_the_flat_vector() {
        let p = sample();
        assert_eq!(p.len(), 8);
        assert_eq!(p.matrix(0)[[2, 1]], 5.0);
        assert_eq!(p.vector(1).to_vec(), vec![6.0, 7.0]);
        assert_eq!(p.index_of("b"), Some(1));
    }

    #[test]
    fn filters_are_columns_of_matrices_only() {
        let p = sample();
        let filters = p.filters();
        assert_eq!(filters.len(), 2);
        let idx: Vec<usize> = p.filter_indices(filters[1]).collect();
        assert_eq!(idx, vec![1, 3, 5]);
    }

    #[test]
    fn vector_space_operations() {
        let mut p = sample();
        let q = sample();
        p.axpy(-1.0, &q);
        assert_eq!(p.norm(), 0.0);
        assert_eq!(q.dot(&q), (0..8).map(|i| (i * i) as f64).sum::<f64>());
        assert!(q.with_flat(Array1::zeros(3)).is_err());
    }
}
