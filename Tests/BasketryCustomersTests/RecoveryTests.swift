import BasketryCore
import Foundation
import Testing

@testable import BasketryCustomers

/// Fits on data simulated from known parameters recover them.
@Suite struct RecoveryTests {
  /// 20,000 customers aged 1–52 periods from BG/NBD(0.24, 4.41, 0.79, 2.43) (the CDNOW fit, weeks):
  /// r and α within 5 % of the truth, a within 10 % and b within 20 % (the dropout shapes are the
  /// least determined: seeds 1–3 give at most 2 %, 2 %, 7 % and 16 %).
  @Test(arguments: [UInt64(1), 2, 3])
  func betaGeoRecoversParameters(seed: UInt64) throws {
    let truth = BetaGeoModel.Parameters(r: 0.24, alpha: 4.41, a: 0.79, b: 2.43)
    let rows = BetaGeoModel(parameters: truth).simulate(customers: 20_000, maximumAge: 52, seed: seed)
    let fitted = try BetaGeoModel.fit(rows).parameters
    let checks = [
      (fitted.r, truth.r, 0.05), (fitted.alpha, truth.alpha, 0.05), (fitted.a, truth.a, 0.1), (fitted.b, truth.b, 0.2),
    ]
    for (value, target, tolerance) in checks {
      #expect(abs(value / target - 1) < tolerance, "seed \(seed): \(value) vs \(target)")
    }
  }

  /// 5,000 repeat customers with Gamma-Gamma(6, 4, 15) spend: p, q, v within 20 %.
  @Test(arguments: [UInt64(1), 2, 3])
  func gammaGammaRecoversParameters(seed: UInt64) throws {
    var random = SplitMix64(seed: seed)
    var rows: [RFM] = []
    for _ in 0..<5_000 {
      let x = 1 + Int(random.next() % 6)
      let nu = BetaGeoModel.gamma(shape: 4, using: &random) / 15
      var total = 0.0
      for _ in 0..<x { total += BetaGeoModel.gamma(shape: 6, using: &random) / nu }
      rows.append(RFM(frequency: x, recency: 1, age: 1, monetary: total / Double(x)))
    }
    let fitted = try GammaGammaModel.fit(rows).parameters
    for (value, target) in [(fitted.p, 6.0), (fitted.q, 4.0), (fitted.v, 15.0)] {
      #expect(abs(value / target - 1) < 0.2, "seed \(seed): \(value) vs \(target)")
    }
  }
}
