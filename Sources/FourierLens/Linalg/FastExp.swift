/// exp over eight floats at once (Cephes' expf: range reduction by ln 2, a degree-6
/// polynomial, and the exponent put back through the float's bits). Within 2 ulp of the libm
/// result on [-87, 88]; below -87 it returns 0. The lens calls it for every logit, so it must
/// vectorise: libm's scalar expf would cost as much as the matrix product.
@inline(__always)
func fastExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let clamped = x.clamped(lowerBound: SIMD8(repeating: -87.33), upperBound: SIMD8(repeating: 88.72))
    let n = (clamped * 1.442_695_04).rounded(.toNearestOrEven)
    var r = clamped - n * 0.693_359_375
    r = r - n * -2.121_944_4e-4
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    p = p * r * r + r + 1
    let bits = SIMD8<Int32>(truncatingIfNeeded: SIMD8<Int32>(n) &+ 127) &<< 23
    let scale = unsafeBitCast(bits, to: SIMD8<Float>.self)
    let result = p * scale
    return result.replacing(with: 0, where: x .< -87.33)
}
