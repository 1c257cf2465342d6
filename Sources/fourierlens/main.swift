import ArgumentParser
import CKernels
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
        if error.exitCode == 2 { OptionError.record(error, message: error.description) }
        return error.exitCode
    } catch let exit as ExitCode {
        return exit.rawValue
    } catch let error as ValidationError {
        // An option checked once the run has started: one line, like every other bad input.
        printError(error.message)
        OptionError.record(error, message: error.message)
        return 2
    } catch {
        let code = FourierLensCommand.exitCode(for: error)
        let message = FourierLensCommand.fullMessage(for: error)
        if code == .success {
            print(message)
            return 0
        }
        printError(oneLine(message))
        OptionError.record(error, message: oneLine(message))
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

// OpenBLAS chose its kernels and started its threads when it loaded, before main: on a CPU it
// does not know it runs generic SSE3 kernels at a fifth of the machine's rate (run again at once,
// telling it the core type), and its idle threads spin long enough to slow the lens's reductions.
fl_openblas_configure(CommandLine.unsafeArgv)

// Large buffers (a block's logit tile, a widened W_U tile) are allocated and freed once per
// block, some on worker threads. glibc's default raises its mmap threshold after the first free
// and then serves them from per-thread heaps, which fragment: resident memory crept up with the
// number of blocks. A fixed threshold keeps every large buffer an mmap returned on free, so memory
// stays flat however many prompts a run takes (Tests/python/test_lens_memory.py).
fl_fix_mmap_threshold(128 << 10)
// A study's task (TaskProcess sets FOURIERLENS_TASK_PARENT): it dies with its runner, even one
// killed with SIGKILL, so no task goes on writing into the study's tasks/ afterwards; what it
// had staged is removed by the next run (TemporaryPaths.removeStale).
if let parent = ProcessInfo.processInfo.environment["FOURIERLENS_TASK_PARENT"].flatMap({ Int32($0) }) {
    if fl_die_with_parent(parent) != 0 { _exit(137) }
    unsetenv("FOURIERLENS_TASK_PARENT")  // for this task alone: a program it starts has another parent
}
_ = OptionError.file  // read and cleared before the command runs anything
TemporaryPaths.removeOnInterrupt()
exit(runFourierLens())
