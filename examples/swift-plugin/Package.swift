// swift-tools-version:6.0
// A FourierLens plugin library written in Swift, built as its own package.
// `swift build -c release` produces .build/release/libFLRing.so; put it on the plugin path.
import PackageDescription

let package = Package(
  name: "RingPlugin",
  products: [
    // A plugin is a dynamic library exporting `flens_plugin_entry`.
    .library(name: "FLRing", type: .dynamic, targets: ["FLRing"]),
  ],
  dependencies: [
    // The FourierLens repository (here: two levels up). Only FourierLensPluginKit is linked,
    // never the core: the kit speaks the C ABI.
    .package(name: "FourierLens", path: "../.."),
  ],
  targets: [
    .target(name: "FLRing", dependencies: [.product(name: "FourierLensPluginKit", package: "FourierLens")]),
  ],
  swiftLanguageModes: [.v5]
)
