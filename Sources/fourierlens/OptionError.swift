import ArgumentParser
import FourierLens
import FourierLensStudy
import Foundation

/// A bad-input error (exit code 2) as a study's runner reads it: the option it is about and the
/// value the command line gave it, written as JSON (TaskError) to the file a study task is given
/// in FOURIERLENS_ERROR_JSON, beside the unchanged line on stderr. An error is about one option
/// when its text starts with that option's name: every ValidationError about one option is written
/// so ("--fdr must lie in (0, 1) (found 7.0)"), and the library's bad-input errors name it first
/// in their file, dataset or expectation ("--target", "--tau within 1–150").
enum OptionError {
    /// Taken out of the environment at start: a program this task runs (patch's Python) is not the task.
    static let file: String? = {
        let path = ProcessInfo.processInfo.environment[TaskError.environmentKey]
        unsetenv(TaskError.environmentKey)
        return path.flatMap { $0.isEmpty ? nil : $0 }
    }()

    /// Writes the error's JSON when a study asked for it (nothing otherwise; a failed write is
    /// left unsaid: the runner then reads the line on stderr, as it would after a crash).
    static func record(_ error: Error, message: String, arguments: [String] = CommandLine.arguments) {
        guard let file else { return }
        let option = self.option(of: error)
        try? TaskError(option: option, value: option.flatMap { value(of: $0, in: arguments) }, message: message).write(to: file)
    }

    static func option(of error: Error) -> String? {
        switch error {
        case let error as ValidationError: return leadingOption(error.message)
        case let FourierLensError.badInput(file, dataset, expected): return [file, dataset, expected].lazy.compactMap(leadingOption).first
        default: return nil
        }
    }

    /// "--fdr" of "--fdr must lie in …"; nil when the text does not start with an option or
    /// starts with two ("--tau and --tau-period go with …").
    static func leadingOption(_ text: String) -> String? {
        guard text.hasPrefix("--") else { return nil }
        let name = String(text.prefix { $0.isLetter || $0.isNumber || $0 == "-" })
        let rest = text.dropFirst(name.count)
        guard name.count > 2, !rest.hasPrefix(" and --"), !rest.hasPrefix(" or --") else { return nil }
        return name
    }

    /// The value an option was given ("--fdr 7" or "--fdr=7"); nil for a flag or an option not given.
    static func value(of option: String, in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument.hasPrefix(option + "=") { return String(argument.dropFirst(option.count + 1)) }
            if argument == option, index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") { return arguments[index + 1] }
        }
        return nil
    }
}
