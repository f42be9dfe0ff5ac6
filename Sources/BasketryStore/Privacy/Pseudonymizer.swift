import Crypto
import Foundation

/// Turns raw user ids into stable pseudonyms with HMAC-SHA256 under a secret key, so raw ids are
/// never stored or logged. Without the key a pseudonym cannot be linked back to the id
/// (short of guessing ids and the key); rotating the key unlinks all history.
public struct Pseudonymizer: Sendable {
  private let key: SymmetricKey

  /// Creates a pseudonymiser.
  /// - Parameter secret: the key material (at least 16 bytes recommended; `BASKETRY_PSEUDONYM_KEY`).
  public init(secret: String) {
    key = SymmetricKey(data: Data(secret.utf8))
  }

  /// The pseudonym of a raw user id: `u_` + the first 32 hex digits (128 bits) of HMAC-SHA256(key, id).
  public func pseudonym(_ rawUserID: String) -> String {
    let mac = HMAC<SHA256>.authenticationCode(for: Data(rawUserID.utf8), using: key)
    var hex = "u_"
    for byte in mac.prefix(16) {
      hex += String(byte >> 4, radix: 16)
      hex += String(byte & 0x0F, radix: 16)
    }
    return hex
  }
}
