import Foundation

/// The libFuzzer entry points. FLENS_FUZZ_TARGET names the target (see `FuzzTarget`);
/// with FLENS_FUZZ_WRITE_SEEDS=DIR the binary writes that target's seed corpus into DIR
/// and exits instead of fuzzing.
nonisolated(unsafe) private var selected: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
  let env = ProcessInfo.processInfo.environment
  let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
  guard let name = env["FLENS_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
    FileHandle.standardError.write(Data("flens-fuzz: set FLENS_FUZZ_TARGET to one of: \(names)\n".utf8))
    exit(2)
  }
  selected = target
  if let dir = env["FLENS_FUZZ_WRITE_SEEDS"], !dir.isEmpty {
    do {
      try FuzzSeeds.write(target, to: dir)
      exit(0)
    } catch {
      FileHandle.standardError.write(Data("flens-fuzz: cannot write the \(name) seeds to \(dir): \(error)\n".utf8))
      exit(1)
    }
  }
  return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  let data = start.map { Data(bytes: $0, count: count) } ?? Data()
  selected!.run(data)
  return 0
}
