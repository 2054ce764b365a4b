import Testing
@testable import FourierLens

@Suite struct ColormapTests {
  static func close(_ c: (r: Float, g: Float, b: Float), _ e: (Float, Float, Float), _ tol: Float) -> Bool {
    abs(c.r - e.0) <= tol && abs(c.g - e.1) <= tol && abs(c.b - e.2) <= tol
  }

  @Test func turboIsGooglesPolynomial() {
    // The degree-5 polynomial evaluated independently (NumPy): turbo(0), turbo(0.5), turbo(1).
    #expect(Self.close(Colormap.turbo.color(0), (0.13572, 0.09140, 0.10667), 1e-4))
    #expect(Self.close(Colormap.turbo.color(0.5), (0.58852, 0.98186, 0.31317), 1e-4))
    #expect(Self.close(Colormap.turbo.color(1), (0.56586, 0.05039, 0), 1e-4))
    // …which approximates Google's 256-entry Turbo table (entries 0, 127/128, 255).
    #expect(Self.close(Colormap.turbo.color(0), (0.18995, 0.07176, 0.23217), 0.13))
    #expect(Self.close(Colormap.turbo.color(0.5), (0.63843, 0.99097, 0.23647), 0.08))
    #expect(Self.close(Colormap.turbo.color(1), (0.47960, 0.01583, 0.01055), 0.09))
    // Out-of-range and NaN inputs are clamped.
    #expect(Colormap.turbo.rgb8(-3) == Colormap.turbo.rgb8(0))
    #expect(Colormap.turbo.rgb8(7) == Colormap.turbo.rgb8(1))
    #expect(Colormap.turbo.rgb8(.nan) == Colormap.turbo.rgb8(0))
  }

  @Test func coolwarmMatchesMorelandsMap() {
    // Moreland (2009): blue (59, 76, 192), grey (221, 221, 221) in the middle, red (180, 4, 38).
    #expect(Colormap.coolwarm.rgb8(0) == (59, 76, 192))
    #expect(Colormap.coolwarm.rgb8(1) == (180, 4, 38))
    #expect(Self.close(Colormap.coolwarm.color(0.5), (0.8654, 0.8654, 0.8654), 2e-3))
    // Diverging: lightness rises to the middle and falls after it.
    func luma(_ t: Float) -> Float { let c = Colormap.coolwarm.color(t); return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b }
    #expect(luma(0) < luma(0.25) && luma(0.25) < luma(0.5) && luma(0.5) > luma(0.75) && luma(0.75) > luma(1))
    #expect(Colormap.coolwarm.isDiverging && !Colormap.turbo.isDiverging)
  }

  @Test func grayIsLinear() {
    #expect(Colormap.gray.rgb8(0) == (0, 0, 0))
    #expect(Colormap.gray.rgb8(1) == (255, 255, 255))
    #expect(Colormap.gray.rgb8(0.5) == (128, 128, 128))
    #expect(Colormap.gray.table().count == 256)
  }
}
