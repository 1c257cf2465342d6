/// The mean of the rows of each number, for inputs with several rows per number (one per prompt
/// template, say): spectra need one row per number, and probes whose folds split the prompts of
/// one number between training and test would be scored on numbers they have already seen.
public enum NumberAverage {
    /// Whether any number has more than one row.
    public static func repeats(_ values: [Int64]) -> Bool { Set(values).count < values.count }

    /// One row per distinct number, in ascending order: the mean (accumulated in double) of
    /// that number's rows, and how many rows each mean is over.
    public static func average(_ matrix: Matrix, values: [Int64]) -> (matrix: Matrix, values: [Int64], counts: [Int]) {
        let numbers = Array(Set(values)).sorted()
        let index = Dictionary(uniqueKeysWithValues: numbers.enumerated().map { ($1, $0) })
        let d = matrix.cols
        var sums = [Double](repeating: 0, count: numbers.count * d)
        var counts = [Int](repeating: 0, count: numbers.count)
        for (row, value) in values.enumerated() {
            let target = index[value]!
            counts[target] += 1
            for j in 0..<d { sums[target * d + j] += Double(matrix.values[row * d + j]) }
        }
        var means = [Float](repeating: 0, count: sums.count)
        for i in numbers.indices { for j in 0..<d { means[i * d + j] = Float(sums[i * d + j] / Double(counts[i])) } }
        return (Matrix(rows: numbers.count, cols: d, values: means), numbers, counts)
    }
}
