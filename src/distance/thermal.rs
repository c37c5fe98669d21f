//! KL divergences between the network q and the Boltzmann distribution p_T, by enumeration.

use super::log_sum_exp;

/// Both KL divergences per spin; the reverse one is absent at T = 0, where p_0 is zero off
/// the ground states and KL(q‖p_0) is infinite for any q that is positive everywhere.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThermalDistance {
    /// KL(q‖p_T)/N = (F_var − F)/(N T).
    pub kl_reverse: Option<f64>,
    /// KL(p_T‖q)/N: large when q misses states p_T holds (at T = 0 the coverage of the
    /// ground states).
    pub kl_forward: f64,
}

/// KL both ways from log q and the energies of every configuration at temperature `t` ≥ 0;
/// `ground` marks the ground states (used at T = 0).
pub fn thermal_distance(
    log_q: &[f64],
    energies: &[f64],
    ground: &[bool],
    t: f64,
    sites: usize,
) -> ThermalDistance {
    let n = sites as f64;
    if t == 0.0 {
        let (count, sum) = ground
            .iter()
            .zip(log_q)
            .filter(|(g, _)| **g)
            .fold((0usize, 0.0), |(c, s), (_, lq)| (c + 1, s + lq));
        let count = count.max(1) as f64;
        return ThermalDistance {
            kl_reverse: None,
            kl_forward: (-count.ln() - sum / count) / n,
        };
    }
    let log_z = log_sum_exp(energies.iter().map(|e| -e / t));
    let (mut reverse, mut forward) = (0.0, 0.0);
    for (&lq, &e) in log_q.iter().zip(energies) {
        let lp = -e / t - log_z;
        reverse += lq.exp() * (lq - lp);
        forward += lp.exp() * (lp - lq);
    }
    ThermalDistance {
        kl_reverse: Some(reverse.max(0.0) / n),
        kl_forward: forward.max(0.0) / n,
    }
}
