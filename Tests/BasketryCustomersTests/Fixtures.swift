import Foundation
import Testing

@testable import BasketryCustomers

/// The lifetimes fixtures in `Fixtures/`.
enum Fixtures {
  struct Fit: Decodable {
    var penalizer: Double
    var params: [String: Double]
    var expected_purchases_10: [Double]
    var p_alive: [Double]
    var unconditional_10: Double?
  }
  struct GammaGamma: Decodable {
    var params: [String: Double]
    var expected_spend: [Double]
    var clv_12_months_1pct_weekly: [Double]
  }
  struct Customers: Decodable {
    var frequency: [Double]
    var recency: [Double]
    var T: [Double]
    var monetary: [Double]
  }
  struct Simulated: Decodable {
    var truth: [String: Double]
    var customers: Customers
    var bgnbd: Fit
    var bgnbd_penalized: Fit
    var paretonbd: Fit
    var gammagamma: GammaGamma

    var rows: [RFM] {
      customers.frequency.indices.map {
        RFM(
          frequency: Int(customers.frequency[$0]), recency: customers.recency[$0], age: customers.T[$0],
          monetary: customers.monetary[$0])
      }
    }
  }
  struct Metrics: Decodable {
    var mae: Double
    var rmse: Double
    var pearson: Double
    var mae_btyd: Double
    var total_actual: Double
    var total_pred: Double
  }
  struct Group: Decodable {
    var n: Int
    var actual: Double
    var bgnbd: Double
    var paretonbd: Double
    var naive: Double
  }
  struct OnlineRetail: Decodable {
    var customers: Int
    var holdout_days: Double
    var bgnbd_params: [String: Double]
    var bgnbd: Metrics
    var paretonbd_params: [String: Double]
    var paretonbd: Metrics
    var naive: Metrics
    var groups: [String: Group]
    var gammagamma_params: [String: Double]
  }

  static func url(_ name: String) throws -> URL {
    try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
  }

  static func simulated() throws -> Simulated {
    try JSONDecoder().decode(Simulated.self, from: Data(contentsOf: url("simulated-lifetimes.json")))
  }

  static func onlineRetail() throws -> OnlineRetail {
    try JSONDecoder().decode(OnlineRetail.self, from: Data(contentsOf: url("online-retail-lifetimes.json")))
  }

  /// The Online Retail RFM table: customer, frequency, recency, T, monetary, holdout frequency and
  /// lifetimes' BG/NBD prediction.
  static func onlineRetailTable() throws -> (table: RFMTable, lifetimesPrediction: [Double]) {
    let text = try String(contentsOf: url("online-retail-rfm.csv"), encoding: .utf8)
    var customers: [String] = []
    var rows: [RFM] = []
    var holdout: [Int] = []
    var prediction: [Double] = []
    for line in text.split(separator: "\n").dropFirst() {
      let f = line.split(separator: ",").map(String.init)
      guard f.count == 7, let x = Double(f[1]), let tx = Double(f[2]), let t = Double(f[3]), let m = Double(f[4]),
        let h = Double(f[5]), let p = Double(f[6])
      else { continue }
      customers.append(f[0])
      rows.append(RFM(frequency: Int(x), recency: tx, age: t, monetary: m))
      holdout.append(Int(h))
      prediction.append(p)
    }
    let table = RFMTable(
      customers: customers, rows: rows, calibrationEndDay: 0, holdoutFrequency: holdout, holdoutLength: 183)
    return (table, prediction)
  }
}

/// |a − b| ≤ tolerance × max(|b|, floor).
func close(_ a: Double, _ b: Double, relative tolerance: Double, floor: Double = 1e-12) -> Bool {
  abs(a - b) <= tolerance * max(abs(b), floor)
}
