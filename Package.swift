// swift-tools-version:6.0
// FourierLens: which input frequencies does a trained image classifier really need?
import PackageDescription

import Foundation

// libtorch comes from the PyPI `torch` wheel that scripts/install-deps.sh installs into the
// project's virtual environment (`.venv/libtorch` links to its `torch/` directory: C++ headers
// under include/, libtorch_cpu.so and libc10.so under lib/). FLENS_LIBTORCH names another
// libtorch with the same layout. Only the shim's translation unit sees these headers (they
// need C++20). The shim links torch_cpu and c10 only, so a machine without the CUDA libraries
// runs everything; the CUDA half of libtorch is loaded at run time when a GPU is asked for.
let libtorch = Context.environment["FLENS_LIBTORCH"] ?? (Context.packageDirectory + "/.venv/libtorch")
let torchCxxFlags: [CXXSetting] = [
  .unsafeFlags([
    "-std=c++20", "-isystem", libtorch + "/include", "-isystem", libtorch + "/include/torch/csrc/api/include",
    "-Wno-deprecated-declarations",
    // The wheel's libtorch is a release build: its headers must see NDEBUG as it did, or a
    // class with debug-only members (at::RecordFunction, which fl_layer_macs.hpp reads) gets
    // another layout in the shim than in the library.
    "-DNDEBUG",
  ])
]
let torchLinkerFlags: [LinkerSetting] = [
  .unsafeFlags(["-L" + libtorch + "/lib", "-Xlinker", "-rpath", "-Xlinker", libtorch + "/lib"]),
  .linkedLibrary("torch_cpu"), .linkedLibrary("c10"), .linkedLibrary("stdc++"),
]

let package = Package(
  name: "FourierLens",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "flens", targets: ["flens"]),
    .library(name: "FourierLens", targets: ["FourierLens"]),
    .library(name: "FourierLensPluginKit", targets: ["FourierLensPluginKit"]),
    // Plugins: separately built shared libraries, loaded by `flens` with dlopen.
    .library(name: "FLMasks", type: .dynamic, targets: ["FLMasks"]),
    .library(name: "FLAttacks", type: .dynamic, targets: ["FLAttacks"]),
    .library(name: "FLAugmentations", type: .dynamic, targets: ["FLAugmentations"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
  ],
  targets: [
    // System libraries.
    .systemLibrary(name: "CFFTW", path: "Sources/CFFTW"),
    // libpng/libjpeg wrapped in C so that their longjmp error paths never unwind through Swift.
    .target(
      name: "CCodecs",
      path: "Sources/CCodecs",
      linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg")]
    ),
    // The C header that is the whole plugin contract (and nothing else).
    .target(name: "FourierLensPluginABI", path: "Sources/FourierLensPluginABI"),
    // What the core and the plugins share (neither may depend on the other): the random
    // stream, the finite-difference check of a mask's VJP and the `.npy` format.
    .target(name: "FourierLensNumerics", path: "Sources/FourierLensNumerics"),
    // The core: data, codecs, frequency mathematics, protocols, mask learning, probes, plugin host.
    // It reads untrusted files (images, .npy, datasets, model directories, plugin specs), so
    // its release build keeps Swift's bounds and overflow checks (plain -O, never unchecked): the code
    // that ships is the code scripts/fuzz.sh fuzzes.
    .target(
      name: "FourierLens",
      dependencies: ["CFFTW", "CCodecs", "FourierLensPluginABI", "FourierLensNumerics"],
      path: "Sources/FourierLens",
      linkerSettings: [.linkedLibrary("fftw3f"), .linkedLibrary("fftw3f_threads"), .linkedLibrary("dl")]
    ),
    // A small extern "C" API over libtorch.
    .target(
      name: "CTorchShim",
      path: "Sources/CTorchShim",
      cxxSettings: torchCxxFlags,
      linkerSettings: torchLinkerFlags
    ),
    // Classifier backed by libtorch.
    .target(name: "FourierLensTorch", dependencies: ["FourierLens", "CTorchShim"], path: "Sources/FourierLensTorch"),
    // Swift helpers that turn a Swift type into an ABI plugin.
    .target(name: "FourierLensPluginKit", dependencies: ["FourierLensPluginABI", "FourierLensNumerics"], path: "Sources/FourierLensPluginKit"),
    // HTML/SVG/PNG report rendering.
    .target(name: "FourierLensReport", dependencies: ["FourierLens"], path: "Sources/FourierLensReport"),
    // Experiment files: their reading and checking (no libtorch, so the fuzzer links it alone),
    // and their plans, steps and executors (the local runner, Slurm).
    .target(
      name: "FourierLensExperimentSpec",
      dependencies: ["FourierLens", .product(name: "Yams", package: "Yams")],
      path: "Sources/FourierLensExperimentSpec"
    ),
    .target(
      name: "FourierLensExperiments",
      dependencies: ["FourierLensExperimentSpec", "FourierLens", "FourierLensTorch", "FourierLensReport"],
      path: "Sources/FourierLensExperiments"
    ),
    // The command-line host.
    .executableTarget(
      name: "flens",
      dependencies: [
        "FourierLens", "FourierLensTorch", "FourierLensReport", "FourierLensExperimentSpec", "FourierLensExperiments",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Yams", package: "Yams"),
      ],
      path: "Sources/flens"
    ),
    // Bundled plugins.
    .target(name: "FLMasks", dependencies: ["FourierLensPluginKit"], path: "Plugins/Masks"),
    .target(name: "FLAttacks", dependencies: ["FourierLensPluginKit", "FourierLensNumerics"], path: "Plugins/Attacks"),
    .target(name: "FLAugmentations", dependencies: ["FourierLensPluginKit"], path: "Plugins/Augmentations"),
    // Tests.
    .testTarget(name: "FourierLensTests", dependencies: ["FourierLens"], path: "Tests/FourierLensTests"),
    .testTarget(name: "FourierLensTorchTests", dependencies: ["FourierLensTorch", "FourierLens"], path: "Tests/FourierLensTorchTests"),
    .testTarget(name: "PluginTests", dependencies: ["FourierLens", "FourierLensPluginKit"], path: "Tests/PluginTests"),
    .testTarget(name: "FlensCLITests", dependencies: ["FourierLens"], path: "Tests/FlensCLITests"),
    .testTarget(
      name: "ExperimentTests", dependencies: ["FourierLensExperiments", "FourierLensExperimentSpec", "FourierLens"],
      path: "Tests/ExperimentTests"
    ),
    .testTarget(name: "ReportTests", dependencies: ["FourierLensReport", "FourierLens"], path: "Tests/ReportTests"),
  ],
  // Swift 6 language mode (strict concurrency checking) for every target.
  swiftLanguageModes: [.v6],
  cxxLanguageStandard: .cxx20
)

// Fuzzing (scripts/fuzz.sh): one libFuzzer binary holding a target for every reader. It is
// declared only when FLENS_FUZZ=1, so the normal build and `swift build --build-tests` never
// see it; scripts/fuzz.sh builds it with -sanitize=fuzzer,address in its own build directory.
// Experiment files are read by FourierLensExperimentSpec, which it links; ModelDirectory.swift
// is a symbolic link to the reader FourierLensTorch uses, so the fuzzer runs exactly that
// code without linking libtorch.
if Context.environment["FLENS_FUZZ"] == "1" {
  package.products.append(.executable(name: "flens-fuzz", targets: ["FlensFuzz"]))
  package.targets.append(.executableTarget(
    name: "FlensFuzz",
    dependencies: ["FourierLens", "FourierLensExperimentSpec", .product(name: "Yams", package: "Yams")],
    path: "Fuzz/FlensFuzz"
  ))
}
