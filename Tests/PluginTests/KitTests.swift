import FourierLensPluginKit
import Testing

/// The Swift kit on its own, without a host: option parsing for authors' tests and the
/// finite-difference VJP check offered to plugin authors.
@Suite("FourierLensPluginKit")
struct KitTests {
  /// A mask that squares its parameters, M = θ², with a correct or deliberately wrong VJP.
  final class SquareMask: MaskPlugin {
    static let name = "square"
    static let summary = "M = theta^2"
    static let parameters: [PluginParameter] = [.bool("wrong", default: false, help: "use a wrong VJP")]
    let count: Int
    let wrong: Bool
    init(options: PluginOptions, request: MaskRequest) throws {
      count = request.maskCount
      wrong = try options.bool("wrong")
    }
    var parameterCount: Int { count }
    func initialParameters() throws -> [Float] { (0..<count).map { 0.5 + Float($0 % 7) / 10 } }
    func forward(_ theta: UnsafeBufferPointer<Float>, into mask: UnsafeMutableBufferPointer<Float>) throws {
      for i in 0..<count { mask[i] = theta[i] * theta[i] }
    }
    func vjp(_ theta: UnsafeBufferPointer<Float>, maskGradient: UnsafeBufferPointer<Float>,
             into out: UnsafeMutableBufferPointer<Float>) throws {
      for i in 0..<count { out[i] = (wrong ? 1 : 2) * theta[i] * maskGradient[i] }
    }
  }

  let request = MaskRequest(transform: .dft, layout: .perChannel, channels: 2, height: 3, width: 4)

  @Test func vjpCheckPassesACorrectMaskAndFailsAWrongOne() throws {
    #expect(request.maskCount == 24)
    let good = try SquareMask(options: PluginOptions(schema: SquareMask.parameters), request: request)
    let error = try MaskPluginCheck.vjp(good, maskCount: 24).maxRelativeError
    #expect(error < 1e-3, "\(error)")
    let bad = try SquareMask(options: PluginOptions(schema: SquareMask.parameters, values: ["wrong": "yes"]), request: request)
    #expect(try MaskPluginCheck.vjp(bad, maskCount: 24).maxRelativeError > 0.3)
  }

  @Test func optionsParseLikeTheHost() throws {
    let schema: [PluginParameter] = [
      .float("eps", default: 0.03, min: 0, max: 1, help: ""), .int("steps", default: 10, min: 1, help: ""),
      .choice("norm", ["l2", "linf"], default: "l2", help: ""), .string("mask", default: "", help: ""),
    ]
    let o = try PluginOptions(schema: schema, values: ["eps": "0.5", "norm": "linf"])
    #expect(try o.float("eps") == 0.5)
    #expect(try o.int("steps") == 10)
    #expect(try o.string("norm") == "linf")
    #expect(try o.string("mask") == "")
    #expect(throws: PluginError.self) { _ = try PluginOptions(schema: schema, values: ["eps": "2"]) }
    #expect(throws: PluginError.self) { _ = try PluginOptions(schema: schema, values: ["steps": "0"]) }
    #expect(throws: PluginError.self) { _ = try PluginOptions(schema: schema, values: ["norm": "l1"]) }
    #expect(throws: PluginError.self) { _ = try PluginOptions(schema: schema, values: ["nope": "1"]) }
    #expect(throws: PluginError.self) { _ = try o.float("undeclared") }
    #expect(PluginParameter.float("x", default: 0.0075, help: "").defaultValue == "0.0075")
  }

  @Test func hostServicesAreReportedMissingOutsideAHost() {
    #expect(!PluginHost.isAvailable)
    #expect(throws: PluginError.self) { _ = try PluginHost.bandMap(.dft, height: 4, width: 4, radial: 2, angular: 1) }
  }
}
