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
    } catch {
        let code = FourierLensCommand.exitCode(for: error)
        let message = FourierLensCommand.fullMessage(for: error)
        if code == .success {
            print(message)
            return 0
        }
        printError(message)
        return 2
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("fourierlens: \(message)\n".utf8))
}

exit(runFourierLens())
