/// Every failure FourierLens reports. `badInput` is the user's to fix (exit code 2);
/// `outputFailure` is the machine's (a full disk, a lost permission: exit code 1, naming the
/// output the user gave); `taskFailure` is a study task's own such failure, passed on as it said
/// it (exit code 1); `internalFailure` is ours (exit code 1).
public enum FourierLensError: Error, CustomStringConvertible, Equatable {
    /// One clear line: which file, which dataset (or "-" when the whole file), what was expected.
    case badInput(file: String, dataset: String, expected: String)
    case internalFailure(String)
    /// Writing `output` failed for a reason outside the input (no space left, I/O error).
    case outputFailure(output: String, reason: String)
    /// A study task that failed for a reason outside the input: the task, its line, its log.
    case taskFailure(String)

    public var description: String {
        switch self {
        case let .badInput(file, dataset, expected):
            return dataset == "-" ? "\(file): expected \(expected)" : "\(file): \(dataset): expected \(expected)"
        case let .internalFailure(message):
            return "internal error: \(message)"
        case let .outputFailure(output, reason):
            return "\(output): could not write the output (\(reason)); nothing was written"
        case let .taskFailure(message):
            return message
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .badInput: return 2
        case .internalFailure, .outputFailure, .taskFailure: return 1
        }
    }
}

extension FourierLensError {
    /// The dataset a bad-input error names ("-" for the whole file).
    public var datasetName: String {
        if case let .badInput(_, dataset, _) = self { return dataset }
        return "-"
    }

    /// What was expected, for a bad-input error; the message otherwise.
    public var expectation: String {
        switch self {
        case let .badInput(_, _, expected): return expected
        case let .internalFailure(message), let .taskFailure(message): return message
        case let .outputFailure(_, reason): return reason
        }
    }
}
