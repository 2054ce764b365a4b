import Foundation

// The fuzzer's entry point. FLENS_FUZZ_TARGET names the target (see `FuzzTarget`); with
// FLENS_FUZZ_WRITE_SEEDS=DIR the binary writes that target's seed corpus into DIR and exits
// instead of fuzzing. Otherwise it hands the command line to libFuzzer's driver
// (LLVMFuzzerRunDriver), so every libFuzzer flag works as usual.

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

let environment = ProcessInfo.processInfo.environment
guard let name = environment["FLENS_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
  let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
  FileHandle.standardError.write(Data("flens-fuzz: set FLENS_FUZZ_TARGET to one of: \(names)\n".utf8))
  exit(2)
}
/// The target libFuzzer's callbacks run: chosen once, before the driver starts, and never
/// changed (a constant, so the callbacks may read it from any thread).
let selectedTarget = target
if let dir = environment["FLENS_FUZZ_WRITE_SEEDS"], !dir.isEmpty {
  do {
    try FuzzSeeds.write(target, to: dir)
    exit(0)
  } catch {
    FileHandle.standardError.write(Data("flens-fuzz: cannot write the \(name) seeds to \(dir): \(error)\n".utf8))
    exit(1)
  }
}

/// Also defined so that libFuzzer's own `main` (linked by -sanitize=fuzzer, which SwiftPM's
/// entry-point alias does not keep out) links; the driver below is what runs.
/// (Declared before the driver's `exit`, after which top-level code is never executed.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  selectedTarget.run(start.map { Data(bytes: $0, count: count) } ?? Data())
  return 0
}

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { start, count in
  selectedTarget.run(start.map { Data(bytes: $0, count: count) } ?? Data())
  return 0
})
