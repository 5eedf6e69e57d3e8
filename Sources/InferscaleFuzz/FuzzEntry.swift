#if canImport(Glibc)
import Glibc
#endif

// libFuzzer's entry points exist only in the fuzzing build (`make fuzz`: `--sanitize=fuzzer
// -Xswiftc -DINFERSCALE_FUZZ`), where libFuzzer supplies `main`. A normal build gets a `main`
// that says how to fuzz, so `swift build --build-tests` stays unaffected.
#if INFERSCALE_FUZZ

/// The target this process fuzzes, from `$INFERSCALE_FUZZ_TARGET`, read once.
let selectedTarget: FuzzTarget = {
    let name = getenv("INFERSCALE_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        print("set INFERSCALE_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")) (got \"\(name)\")")
        exit(2)
    }
    return target
}()

/// Called by libFuzzer before the first input: fails fast on a missing target name.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    _ = selectedTarget
    return 0
}

/// Called by libFuzzer for every input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget.run(bytes)
    return 0
}

#else

/// Without the fuzzing flags this executable explains itself, or prints the text parser's verdicts for
/// `make fuzz-diff` (`--verdicts text PATH...`).
@main enum FuzzUsage {
    static func main() {
        let arguments = CommandLine.arguments
        if arguments.count >= 3, arguments[1] == "--verdicts", arguments[2] == "text" {
            do {
                try FuzzVerdicts.print(format: .prometheusText, paths: Array(arguments.dropFirst(3)))
            } catch {
                print("inferscale-fuzz: \(error)")
                exit(2)
            }
            return
        }
        print("""
            inferscale-fuzz is a libFuzzer harness; build and run it with `make fuzz` \
            (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))).
            """)
    }
}

#endif
