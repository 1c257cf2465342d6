import ArgumentParser
import FourierLens
import Foundation

/// Exit codes: 0 success, 2 bad input or usage (one clear line on stderr), 1 internal error.
func runFourierLens() -> Int32 {
    do {
        var command = try FourierLensCommand.parseAsRoot()
        try command.run()
        return 0
    } catch let error as FourierLensError {
        printError(error.description)
        return error.exitCode
    } catch let exit as ExitCode {
        return exit.rawValue
    } catch let error as ValidationError {
        // An option checked once the run has started: one line, like every other bad input.
        printError(error.message)
        return 2
    } catch {
        let code = FourierLensCommand.exitCode(for: error)
        let message = FourierLensCommand.fullMessage(for: error)
        if code == .success {
            print(message)
            return 0
        }
        printError(oneLine(message))
        return 2
    }
}

/// ArgumentParser's error, usage and help hint as one line: "what is wrong; see 'fourierlens lens --help'".
func oneLine(_ message: String) -> String {
    let lines = message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    var first = lines.first ?? message
    if first.hasPrefix("Error: ") { first.removeFirst("Error: ".count) }
    guard let hint = lines.last(where: { $0.hasPrefix("See '") }) else { return first }
    return first + "; s" + hint.dropFirst().replacingOccurrences(of: " for more information.", with: "")
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("fourierlens: \(message)\n".utf8))
}

TemporaryPaths.removeOnInterrupt()
exit(runFourierLens())
