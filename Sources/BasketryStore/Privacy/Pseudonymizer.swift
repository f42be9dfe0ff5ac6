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

  /// The pseudonym of a raw user id: `u_` + the first 32 hex digits (128 bits) of HMAC-SHA256(key, id).
  public func pseudonym(_ rawUserID: String) -> String {
    var hmac = keyed
    var id = rawUserID
    id.withUTF8 { hmac.update(data: $0) }
    let mac = hmac.finalize()
    return String(unsafeUninitializedCapacity: 34) { buffer in
      let digits: [UInt8] = Array("0123456789abcdef".utf8)
      buffer[0] = UInt8(ascii: "u")
      buffer[1] = UInt8(ascii: "_")
      var position = 2
      for byte in mac.prefix(16) {
        buffer[position] = digits[Int(byte >> 4)]
        buffer[position + 1] = digits[Int(byte & 0x0F)]
        position += 2
      }
      return 34
    }
  }
}
