import Crypto
import Foundation

/// Turns raw user ids into stable pseudonyms with HMAC-SHA256 under a secret key, so raw ids are
/// never stored or logged. Without the key a pseudonym cannot be linked back to the id
/// (short of guessing ids and the key); rotating the key unlinks all history.
public struct Pseudonymizer: Sendable {
  /// HMAC state after the key: copied for each id, so the key is not hashed again on every call.
  private let keyed: HMAC<SHA256>

  /// Creates a pseudonymiser.
  /// - Parameter secret: the key material (at least 16 bytes recommended; `BASKETRY_PSEUDONYM_KEY`).
  public init(secret: String) {
    keyed = HMAC<SHA256>(key: SymmetricKey(data: Data(secret.utf8)))
  }

  /// A fingerprint of the key: the pseudonym of a fixed probe id. Artifacts trained from files record it, so a
  /// server with another key can tell that their customers' pseudonyms will not match its requests'. It reveals
  /// nothing more about the key than any pseudonym does.
  public var keyCheck: String { pseudonym("basketry:pseudonym-key-check") }

  /// The pseudonym of a raw user id: `u_` + the first 32 hex digits (128 bits) of HMAC-SHA256(key, id).
  public func pseudonym(_ rawUserID: String) -> String {
    var hmac = keyed
    var id = rawUserID
    id.withUTF8 { hmac.update(data: $0) }
    let mac = hmac.finalize()
    return mac.withUnsafeBytes { bytes in
      String(unsafeUninitializedCapacity: 34) { buffer in
        let digits: StaticString = "0123456789abcdef"
        let hex = digits.utf8Start
        buffer[0] = UInt8(ascii: "u")
        buffer[1] = UInt8(ascii: "_")
        for index in 0..<16 {
          let byte = bytes[index]
          buffer[2 + 2 * index] = hex[Int(byte >> 4)]
          buffer[3 + 2 * index] = hex[Int(byte & 0x0F)]
        }
        return 34
      }
    }
  }
}
