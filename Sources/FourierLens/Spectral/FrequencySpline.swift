import Foundation

/// The frequency control's regression (docs/METHODS.md, "Frequency control"): every column of a
/// number matrix on a natural cubic spline of z = log(1 + count), the number's corpus count. Pure
/// arithmetic in Double; no I/O.
public enum FrequencySpline {
    /// Knot counts tried by cross-validation; 2 knots is the straight line (1, z).
    public static let knotCandidates = [2, 3, 4, 5, 6, 7]

    /// K knots at the quantiles 0.05 … 0.95 of z, evenly spaced in level (numpy's default linear
    /// interpolation), repeated knots (tied counts) merged. Fewer than 3 knots: none (a line).
    public static func knots(_ z: [Double], count: Int) -> [Double] {
        guard count >= 3 else { return [] }
        let sorted = z.sorted()
        var knots: [Double] = []
        for i in 0..<count {
            let level = 0.05 + 0.9 * Double(i) / Double(count - 1)
            let position = level * Double(sorted.count - 1)
            let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
            let value = sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
            if knots.last.map({ value > $0 }) ?? true { knots.append(value) }
        }
        return knots.count >= 3 ? knots : []
    }

    /// The natural cubic spline basis of Hastie, Tibshirani & Friedman (ESL eq. 5.4–5.5): 1, z,
    /// and d_j(z) − d_{K−1}(z) for j = 1 … K−2, d_j(z) = ((z − ξ_j)₊³ − (z − ξ_K)₊³) / (ξ_K − ξ_j):
    /// cubic between the knots, linear beyond the outer ones. Columns, each of length p.
    public static func basis(_ z: [Double], knots: [Double]) -> [[Double]] {
        var columns = [z.map { _ in 1.0 }, z]
        guard knots.count >= 3 else { return columns }
        let last = knots.count - 1
        func cube(_ x: Double) -> Double { x > 0 ? x * x * x : 0 }
        func d(_ j: Int, _ x: Double) -> Double { (cube(x - knots[j]) - cube(x - knots[last])) / (knots[last] - knots[j]) }
        for j in 0..<(last - 1) { columns.append(z.map { d(j, $0) - d(last - 1, $0) }) }
        return columns
    }

    /// An orthonormal basis Q of the columns' span (modified Gram–Schmidt, twice for accuracy);
    /// a column that adds less than 1e-9 of its norm (a tie among knots) is left out.
    public static func orthonormal(_ columns: [[Double]]) -> [[Double]] {
        var q: [[Double]] = []
        for column in columns {
            let norm0 = norm(column)
            guard norm0 > 0 else { continue }
            var v = column
            for _ in 0..<2 { for u in q { let c = dot(u, v); for i in v.indices { v[i] -= c * u[i] } } }
            let n = norm(v)
            if n > 1e-9 * norm0 { q.append(v.map { $0 / n }) }
        }
        return q
    }

    /// A chosen spline and what cross-validation saw.
    public struct Fit: Sendable {
        public let knots: [Double]
        /// The orthonormal basis of the spline (columns of length p).
        public let basis: [[Double]]
        /// Each candidate's knot count (after merging ties) and its PRESS (leave-one-out squared error over all columns).
        public let candidates: [(knots: Int, press: Double)]
        /// X minus its projection on the spline, and the projection.
        public let residual: Matrix
        public let fitted: Matrix
    }

    /// The spline with the smallest leave-one-out error of X, summed over columns (one basis for
    /// the whole matrix); a tie keeps the fewer knots. LOO errors come from the hat matrix: e_i / (1 − h_ii).
    public static func fit(_ x: Matrix, z: [Double]) -> Fit {
        precondition(z.count == x.rows)
        var best: (fit: Fit, press: Double)? = nil
        var seen: Set<[Double]> = []
        var candidates: [(knots: Int, press: Double)] = []
        for count in knotCandidates {
            let k = knots(z, count: count)
            guard seen.insert(k).inserted else { continue }  // ties merged it into an earlier candidate
            let q = orthonormal(basis(z, knots: k))
            let (fitted, residual) = project(x, on: q)
            let score = press(residual, basis: q)
            candidates.append((max(k.count, 2), score))
            if best == nil || score < best!.press {
                best = (Fit(knots: k, basis: q, candidates: [], residual: residual, fitted: fitted), score)
            }
        }
        let chosen = best!.fit
        return Fit(knots: chosen.knots, basis: chosen.basis, candidates: candidates, residual: chosen.residual, fitted: chosen.fitted)
    }

    /// X's projection on span(Q) and what is left.
    public static func project(_ x: Matrix, on q: [[Double]]) -> (fitted: Matrix, residual: Matrix) {
        var fitted = [Double](repeating: 0, count: x.rows * x.cols)
        for u in q {
            for j in 0..<x.cols {
                var c = 0.0
                for i in 0..<x.rows { c += u[i] * Double(x.values[i * x.cols + j]) }
                for i in 0..<x.rows { fitted[i * x.cols + j] += c * u[i] }
            }
        }
        let residual = x.values.indices.map { Float(Double(x.values[$0]) - fitted[$0]) }
        return (Matrix(rows: x.rows, cols: x.cols, values: fitted.map(Float.init)),
                Matrix(rows: x.rows, cols: x.cols, values: residual))
    }

    /// PRESS: Σ_i Σ_j (e_ij / (1 − h_i))², h_i = Σ_m Q_im²; infinite when a row fixes a coefficient alone.
    public static func press(_ residual: Matrix, basis q: [[Double]]) -> Double {
        var total = 0.0
        for i in 0..<residual.rows {
            let h = q.reduce(0) { $0 + $1[i] * $1[i] }
            guard h < 1 - 1e-9 else { return .infinity }
            var row = 0.0
            for j in 0..<residual.cols { let e = Double(residual.values[i * residual.cols + j]); row += e * e }
            total += row / ((1 - h) * (1 - h))
        }
        return total
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
}
