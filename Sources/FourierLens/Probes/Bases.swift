import Foundation

/// Feature bases of the number a itself, fitted to representations by least squares.
enum NumberBasis {
    /// [a, cos(2πa/T), sin(2πa/T) for each T] (Kantamneni & Tegmark 2025); a is scaled by the
    /// largest period so the columns are of comparable size.
    static func helix(_ values: [Double], periods: [Double]) -> DoubleMatrix {
        let scale = periods.max() ?? 1
        var out: [Double] = []
        out.reserveCapacity(values.count * (1 + 2 * periods.count))
        for a in values {
            out.append(a / scale)
            for period in periods {
                let angle = 2 * Double.pi * a / period
                out.append(cos(angle))
                out.append(sin(angle))
            }
        }
        return DoubleMatrix(rows: values.count, cols: 1 + 2 * periods.count, values: out)
    }

    /// [cos(2πa/T), sin(2πa/T) for each T]: the real Fourier basis at those periods.
    static func fourier(_ values: [Double], periods: [Double]) -> DoubleMatrix {
        var out: [Double] = []
        out.reserveCapacity(values.count * 2 * periods.count)
        for a in values {
            for period in periods {
                let angle = 2 * Double.pi * a / period
                out.append(cos(angle))
                out.append(sin(angle))
            }
        }
        return DoubleMatrix(rows: values.count, cols: 2 * periods.count, values: out)
    }

    /// [t, t², …, t^degree] with t = (a − center) / scale (the training rows' mean and spread).
    static func polynomial(_ values: [Double], degree: Int, center: Double, scale: Double) -> DoubleMatrix {
        var out: [Double] = []
        for a in values {
            let t = (a - center) / max(scale, 1e-12)
            for power in 1...degree { out.append(pow(t, Double(power))) }
        }
        return DoubleMatrix(rows: values.count, cols: degree, values: out)
    }

    /// The basis with a constant column in front (the intercept).
    static func withIntercept(_ basis: DoubleMatrix) -> DoubleMatrix {
        var out: [Double] = []
        out.reserveCapacity(basis.rows * (basis.cols + 1))
        for r in 0..<basis.rows {
            out.append(1)
            out += basis.values[r * basis.cols ..< (r + 1) * basis.cols]
        }
        return DoubleMatrix(rows: basis.rows, cols: basis.cols + 1, values: out)
    }
}

/// Held-out R² of a multi-output prediction: 1 − ‖Y − Ŷ‖² / ‖Y − mean(Y)‖², pooled over columns.
func pooledR2(_ y: DoubleMatrix, _ prediction: DoubleMatrix) -> Double {
    let means = y.columnMeans
    var residual = 0.0, total = 0.0
    for r in 0..<y.rows {
        for c in 0..<y.cols {
            let e = y[r, c] - prediction[r, c], t = y[r, c] - means[c]
            residual += e * e
            total += t * t
        }
    }
    return total > 0 ? 1 - residual / total : 0
}
