@testable import FourierLens
import Testing

/// The mean of each number's rows, with uneven counts, in ascending number order.
@Suite struct NumberAverageTests {
    @Test func averagesEachNumbersRowsAndCountsThem() {
        let values: [Int64] = [7, 5, 7, 6, 7, 5]
        let matrix = Matrix(rows: 6, cols: 2, values: [1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60])
        let averaged = NumberAverage.average(matrix, values: values)
        #expect(averaged.values == [5, 6, 7])
        #expect(averaged.counts == [2, 1, 3])
        #expect(averaged.matrix.values == [4, 40, 4, 40, 3, 30])
        #expect(NumberAverage.repeats(values) && !NumberAverage.repeats([1, 2, 3]))
        #expect(NumberMatrix.describeAveraging(averaged.counts) == "the mean of 1–3 rows per number (6 rows → 3 numbers)")
    }
}
