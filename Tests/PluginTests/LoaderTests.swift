import Foundation
import Testing
@testable import FourierLens

/// The loader and the adapters against deliberately broken libraries built with cc: every
/// failure is an error that names the file, never a crash, and healthy libraries beside a
/// broken one still load.
@Suite("Plugin loader and ABI validation")
struct LoaderTests {
  /// Builds the test C plugin with `defines` into a fresh directory and loads that directory.
  func load(_ defines: [String], name: String = "libcase.so") throws -> (PluginRegistry, String) {
    let dir = try TestSupport.temporaryDirectory("loader")
    let path = try TestSupport.buildC(TestCPlugin.source, named: name, in: dir, defines: defines)
    return (TestSupport.registry([dir]), path)
  }

  func onlyError(_ registry: PluginRegistry, _ path: String) throws -> String {
    try #require(registry.errors.count == 1, "\(registry.errors)")
    #expect(registry.errors[0].library == path)
    #expect(registry.plugins.isEmpty)
    return registry.errors[0].message
  }

  @Test func aHealthyCPluginLoadsAndWorks() throws {
    let (registry, path) = try load([])
    #expect(registry.errors.isEmpty)
    let info = try registry.plugin(named: "cfree", kind: .mask)
    #expect(info.library == path)
    #expect(info.parameters == [PluginParameterInfo(name: "gain", type: .float, defaultValue: "0.5", minimum: 0, maximum: 1, help: "unused")])
    let mask = try registry.makeMask("cfree:gain=0.25", channels: 3, height: 4, width: 4)
    #expect(mask.parameterCount == 16)
    #expect(try mask.mask([Float](repeating: 0.5, count: 16)) == [Float](repeating: 0.5, count: 16))
    #expect(try MaskVJPCheck.run(mask).passed)
  }

  @Test func aFileThatIsNotASharedLibrary() throws {
    let dir = try TestSupport.temporaryDirectory("notelf")
    let path = dir + "/libnotaplugin.so"
    try "this is text, not ELF".write(toFile: path, atomically: true, encoding: .utf8)
    let registry = TestSupport.registry([dir])
    let message = try onlyError(registry, path)
    #expect(message.contains("cannot be loaded as a shared library"))
    #expect("\(registry.errors[0])".contains("libnotaplugin.so"))
  }

  @Test func aLibraryWithoutTheEntrySymbol() throws {
    let (registry, path) = try load(["NO_ENTRY"])
    #expect(try onlyError(registry, path).contains("no flens_plugin_entry symbol"))
  }

  @Test func newerAndOlderABIVersionsAreRefusedByName() throws {
    let (newer, newerPath) = try load(["DESCRIPTOR_ABI=99"])
    let m1 = try onlyError(newer, newerPath)
    #expect(m1.contains("plugin ABI 99") && m1.contains("newer") && m1.contains("ABI 1"))
    let (older, olderPath) = try load(["DESCRIPTOR_ABI=0"])
    #expect(try onlyError(older, olderPath).contains("older"))
  }

  @Test func anEntryThatRefusesTheHostIsReportedWithItsMessage() throws {
    let (registry, path) = try load(["REFUSE_HOST"])
    let message = try onlyError(registry, path)
    #expect(message.contains("ABI mismatch") && message.contains("needs host ABI 7"))
  }

  @Test func invalidDescriptorsAreRejected() throws {
    let cases: [([String], String)] = [
      (["SMALL_DESCRIPTOR"], "struct_size 16 is smaller"),
      (["SMALL_OPS"], "mask operations table struct_size 8"),
      (["NULL_FORWARD"], "null mask operation(s): forward"),
      (["PLUGIN_NAME=\"\""], "empty name"),
      (["PLUGIN_NAME=\"Bad Name\""], "'Bad Name' is not lower-case"),
      (["BAD_DEFAULT"], "default of parameter 'gain' does not pass its own schema"),
    ]
    for (defines, expected) in cases {
      let (registry, path) = try load(defines)
      let message = try onlyError(registry, path)
      #expect(message.contains(expected), "\(defines): \(message)")
    }
  }

  @Test func duplicateNamesKeepTheFirstOnTheSearchPathAndReportTheSecond() throws {
    let first = try TestSupport.temporaryDirectory("dup1"), second = try TestSupport.temporaryDirectory("dup2")
    let a = try TestSupport.buildC(TestCPlugin.source, named: "liba.so", in: first)
    let b = try TestSupport.buildC(TestCPlugin.source, named: "libb.so", in: second)
    let registry = TestSupport.registry([first, second])
    #expect(try registry.plugin(named: "cfree").library == a)
    // The second library loaded: it is not an error, its plugin is shadowed.
    #expect(registry.errors.isEmpty)
    #expect(registry.shadowed == [PluginShadowing(name: "cfree", kind: .mask, library: b, usedFrom: a)])
    // The same directory twice (or a symlink to it) is loaded once, without a duplicate.
    #expect(TestSupport.registry([first, first]).errors.isEmpty && TestSupport.registry([first, first]).shadowed.isEmpty)
  }

  @Test func failuresInsideCallsBecomeErrorsNamingTheLibrary() throws {
    let (nan, nanPath) = try load(["NAN_FORWARD"])
    let mask = try nan.makeMask("cfree", channels: 1, height: 4, width: 4)
    #expect { _ = try mask.mask([Float](repeating: 1, count: 16)) } throws: {
      "\($0)".contains(nanPath) && "\($0)".contains("nan at index 8")
    }
    let (failing, failingPath) = try load(["FAIL_FORWARD"])
    let m2 = try failing.makeMask("cfree", channels: 1, height: 4, width: 4)
    #expect { _ = try m2.mask([Float](repeating: 1, count: 16)) } throws: {
      let s = "\($0)"
      return s.contains(failingPath) && s.contains("'cfree' forward failed (numerical error): forward exploded")
    }
    let (create, createPath) = try load(["FAIL_CREATE"])
    #expect { _ = try create.makeMask("cfree", channels: 1, height: 4, width: 4) } throws: {
      "\($0)".contains(createPath) && "\($0)".contains("create refused on purpose")
    }
    let (skip, _) = try load(["SKIP_WRITE"])
    let m3 = try skip.makeMask("cfree", channels: 1, height: 4, width: 4)
    #expect { _ = try m3.mask([Float](repeating: 1, count: 16)) } throws: { "\($0)".contains("never written") }
    let (huge, _) = try load(["HUGE_COUNT"])
    #expect { _ = try huge.makeMask("cfree", channels: 1, height: 4, width: 4) } throws: { "\($0)".contains("parameters (needs 1") }
  }

  @Test func optionsOutsideTheSchemaAreRefusedBeforeTheLibraryIsCalled() throws {
    let (registry, _) = try load([])
    let cases = [("cfree:gain=2", "above the maximum 1"), ("cfree:gain=-1", "below the minimum 0"),
                 ("cfree:gain=high", "not a finite number"), ("cfree:gain=nan", "not a finite number"),
                 ("cfree:gian=0.1", "unknown option"), ("cfree:gain", "not key=value"), ("cfree:gain=1,gain=0", "given twice")]
    for (spec, expected) in cases {
      #expect(performing: { _ = try registry.makeMask(spec, channels: 1, height: 2, width: 2) }, throws: { error in
        guard let e = error as? FourierLensError, case .badOption = e else { return false }
        return "\(e)".contains(expected)
      })
    }
  }

  @Test func theVJPCheckCatchesAWrongGradient() throws {
    let (registry, _) = try load(["WRONG_VJP"])
    let check = try MaskVJPCheck.run(try registry.makeMask("cfree", channels: 1, height: 4, width: 4))
    #expect(!check.passed)
    #expect(check.maxRelativeError > 0.4)
  }

  @Test func searchPathRules() throws {
    let dir = try TestSupport.temporaryDirectory("rules")
    try TestSupport.buildC(TestCPlugin.source, named: "libgood.so", in: dir)
    try "notes".write(toFile: dir + "/README.txt", atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: dir + "/sub.so", withIntermediateDirectories: true)
    // Files that are not *.so and directories are ignored; a missing --plugin-path entry is an error.
    let registry = TestSupport.registry([dir, dir + "/missing"])
    #expect(registry.plugins.map(\.name) == ["cfree"])
    #expect(registry.errors.map(\.library) == [dir + "/missing"])
    // A path naming a library file loads that file.
    #expect(TestSupport.registry([dir + "/libgood.so"]).plugins.count == 1)
    // FLENS_PLUGIN_PATH is colon-separated; the executable's directory only loads libFL* files.
    let env = PluginSearchPath.standard(pluginPaths: [], environment: ["FLENS_PLUGIN_PATH": "/nonexistent:" + dir],
                                        executableDirectory: dir, userDirectory: nil)
    #expect(env.entries.map(\.origin) == [.environment, .environment, .executable])
    let exeOnly = PluginRegistry(searchPath: PluginSearchPath(entries: [.init(path: dir, origin: .executable)]))
    #expect(exeOnly.plugins.isEmpty && exeOnly.errors.isEmpty)
    // The default path includes the running binary's directory: the bundled plugins are found.
    let names = Set(TestSupport.bundled.plugins.map { "\($0.kind.rawValue)/\($0.name)" })
    #expect(names.isSuperset(of: ["mask/free", "mask/lowpass", "attack/pgd-linf", "augmentation/lowpass", "augmentation/rotate"]))
    #expect(TestSupport.bundled.errors.isEmpty)
  }

  @Test func specParsing() throws {
    let s = try PluginSpec.parse(" pgd-linf : eps = 0.03 , alpha=0.0075,steps=10")
    #expect(s.name == "pgd-linf")
    #expect(s.options.map(\.key) == ["eps", "alpha", "steps"])
    #expect(s["alpha"] == "0.0075")
    #expect(try PluginSpec.parse("free").options.isEmpty)
    #expect(try PluginSpec.parse("free:").options.isEmpty)
    #expect(try PluginSpec.parse("pgd-band:mask=/tmp/a=b:c.npy")["mask"] == "/tmp/a=b:c.npy")
    for bad in ["", ":eps=1", "Free", "pgd linf", "pgd:eps=1,,steps=2", "pgd:=1"] {
      #expect(throws: FourierLensError.self, "\(bad)") { _ = try PluginSpec.parse(bad) }
    }
    #expect(try PluginSpec.parse("a:x=1,y=2").description == "a:x=1,y=2")
    let list = try PluginSpec.parseList("base,scale:min=0.5,max=1.5,rotate,pgd-band:mask=/a:b=c.npy,eps=2")
    #expect(list.map(\.description) == ["base", "scale:min=0.5,max=1.5", "rotate", "pgd-band:mask=/a:b=c.npy,eps=2"])
    #expect(throws: FourierLensError.self) { _ = try PluginSpec.parseList("eps=1,base") }
    #expect(throws: FourierLensError.self) { _ = try PluginSpec.parseList("base,,rotate") }
  }
}
