/// The version of this build of Basketry, printed by `basketry --version` and stamped on model artifacts.
public enum BasketryVersion {
  /// Semantic version string.
  public static let current = "0.1.0"
}
