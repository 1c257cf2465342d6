// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "FourierLens",
    products: [
        .library(name: "FourierLens", targets: ["FourierLens"]),
        .executable(name: "fourierlens", targets: ["fourierlens"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C libraries from Debian packages; shim.h exposes HDF5's macro constants as functions.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CLAPACK", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        // SHA-256 (file and task hashes) from OpenSSL's libcrypto.
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The charts' print copies (PNG, PDF) drawn in the process by librsvg and cairo.
        .systemLibrary(name: "CRSVG", pkgConfig: "librsvg-2.0", providers: [.apt(["librsvg2-dev"])]),
        // The lens's per-logit kernels, in C with the compiler's vector extension.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-Wno-psabi"])]),
        // Variable-length string reads in a forked child, which a damaged file can crash or hang.
        .target(name: "CIsolatedRead", dependencies: ["CHDF5"]),
        .target(
            name: "FourierLens",
            dependencies: ["CHDF5", "CFFTW", "CLAPACK", "COpenSSL", "CRSVG", "CKernels", "CIsolatedRead"]
        ),
        // Studies: a YAML spec expanded into fourierlens commands, run here or by another executor.
        .target(
            name: "FourierLensStudy",
            dependencies: ["FourierLens", "CKernels", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "fourierlens",
            dependencies: [
                "FourierLens", "FourierLensStudy", "CLAPACK", "CKernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The fuzz targets over the HDF5 reader and dump validator, the study spec and merge's
        // per-prompt files (`make fuzz`); built
        // normally it replays inputs, which the tests use on the committed regression inputs.
        .executableTarget(name: "fourierlens-fuzz", dependencies: ["FourierLens", "FourierLensStudy"]),
        .testTarget(
            name: "FourierLensTests",
            dependencies: ["FourierLens", "FourierLensStudy", "fourierlens", "fourierlens-fuzz"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
