import Foundation

/// How a layer's activation is turned into logits (docs/METHODS.md, "Logit lens").
public enum NormMode: String, CaseIterable, Sendable, Codable {
    /// W_U x: the direct contribution of the activation, as the NeurIPS 2024 paper reads each module.
    case none
    /// TransformerLens's apply_ln_to_stack: centre (LayerNorm), divide by the final norm's cached
    /// scale of the prompt, then the norm's weight; residual-stream sites add the norm's bias and b_U.
    case cached
    /// tuned-lens's logit lens: the final norm applied to the activation itself; residual-stream
    /// sites add the norm's bias and b_U (components get neither, as with cached).
    case recompute
}

/// The model's final norm: LayerNorm or RMSNorm, with its weight, bias and epsilon.
public struct FinalNorm: Sendable, Equatable {
    public enum Kind: String, Sendable { case layerNorm = "layernorm", rmsNorm = "rmsnorm" }
    public let kind: Kind
    public let eps: Double
    public let weight: [Float]
    public let bias: [Float]?

    public init(kind: Kind, eps: Double, weight: [Float], bias: [Float]?) {
        self.kind = kind; self.eps = eps; self.weight = weight; self.bias = bias
    }

    /// The rows of `x` as the lens reads them under `mode`. `scale` is the cached final scale of
    /// each row (mode cached); `addBias` says whether the norm's bias belongs to this site.
    public func apply(_ x: Matrix, mode: NormMode, scale: [Float]?, addBias: Bool) -> Matrix {
        guard mode != .none else { return x }
        var out = x
        let d = x.cols
        for r in 0..<x.rows {
            var mean = 0.0, square = 0.0
            for c in 0..<d {
                let v = Double(x.values[r * d + c])
                mean += v
                square += v * v
            }
            mean /= Double(d)
            square /= Double(d)
            let center = kind == .layerNorm ? mean : 0
            let divisor: Double
            switch mode {
            case .cached: divisor = Double(scale![r])
            case .recompute: divisor = (kind == .layerNorm ? square - mean * mean + eps : square + eps).squareRoot()
            case .none: divisor = 1
            }
            for c in 0..<d {
                var v = (Double(x.values[r * d + c]) - center) / divisor * Double(weight[c])
                if addBias, let bias { v += Double(bias[c]) }
                out.values[r * d + c] = Float(v)
            }
        }
        return out
    }
}
