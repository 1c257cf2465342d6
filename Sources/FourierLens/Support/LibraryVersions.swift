import CFFTW
import CHDF5
import CLAPACK

/// The versions of the libraries the numbers came from, for a study's manifest.
public enum LibraryVersions {
    public static var all: [String: String] {
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        _ = H5get_libversion(&major, &minor, &release)
        return [
            "fourierlens": BuildIdentity.version,
            "hdf5": "\(major).\(minor).\(release)",
            "fftw": String(cString: fl_fftwf_version()),
            "openblas": openblas_get_config().map { String(cString: $0) } ?? "unknown",
        ]
    }
}
