/// The hand-written OpenAPI 3.1 description of the service, served at `/openapi.json`.
public enum OpenAPIDocument {
  /// The document as JSON text.
  public static let json = """
    {
      "openapi": "3.1.0",
      "info": {"title": "Basketry", "version": "1.0.0",
        "description": "Bundle intelligence service: events, recommendations, bundles, catalog, erasure, experiments."},
      "servers": [{"url": "/"}],
      "security": [{"bearer": []}],
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
          "description": "API key; roles admin (everything), ingest (events + reads), read (reads)."}},
        "schemas": {
          "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object",
            "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"},
            "field": {"type": "string"}}}}},
          "Event": {"type": "object", "additionalProperties": false, "required": ["user", "item", "type"],
            "properties": {
              "event_id": {"type": "string", "description": "Idempotency key; posting it again stores nothing."},
              "user": {"type": "string", "description": "Raw user id; pseudonymised with HMAC-SHA256 before storage."},
              "item": {"type": "string"}, "type": {"type": "string", "enum": ["view", "cart", "purchase", "return"]},
              "value": {"type": "number", "default": 1}, "price": {"type": "number", "minimum": 0},
              "timestamp": {"type": "integer", "description": "Unix seconds; default now."},
              "session": {"type": "string"}, "recommendation_id": {"type": "string"}}},
          "IngestResponse": {"type": "object", "properties": {"accepted": {"type": "integer"},
            "duplicates": {"type": "integer"}, "event_ids": {"type": "array", "items": {"type": "string"}},
            "attributed": {"type": "integer"}}},
          "Item": {"type": "object", "additionalProperties": false, "properties": {"id": {"type": "string"},
            "title": {"type": "string"}, "category": {"oneOf": [{"type": "array", "items": {"type": "string"}},
            {"type": "string", "description": "A > B > C"}]}, "price": {"type": "number"}, "cost": {"type": "number"},
            "stock": {"type": "integer"}, "hidden": {"type": "boolean"}, "expires_at": {"type": "integer"}}},
          "Neighbor": {"type": "object", "properties": {"item": {"type": "string"}, "together": {"type": "integer"},
            "score": {"type": "number"}, "lift": {"type": "number"}, "confidence": {"type": "number"}}},
          "BundleOffer": {"type": "object", "properties": {"recommendation_id": {"type": "string"},
            "experiment": {"type": ["string", "null"]}, "variant": {"type": "string"}, "policy": {"type": "string"},
            "source": {"type": "string", "enum": ["model", "cooccurrence"]},
            "items": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"},
              "title": {"type": "string"}, "price": {"type": "number"}}}},
            "list_price": {"type": "number"}, "price": {"type": "number"}, "discount": {"type": "number"},
            "margin_rate": {"type": "number"}, "explanation": {"type": "string"}}},
          "Recommendation": {"type": "object", "properties": {"recommendation_id": {"type": "string"},
            "item": {"type": "string"}, "title": {"type": "string"}, "score": {"type": "number"},
            "experiment": {"type": ["string", "null"]}, "variant": {"type": "string"}, "explanation": {"type": "string"}}},
          "DeletionReceipt": {"type": "object", "properties": {"user": {"type": "string"},
            "events_removed": {"type": "integer"}, "baskets_removed": {"type": "integer"},
            "pair_contributions_removed": {"type": "integer"}, "impressions_removed": {"type": "integer"},
            "erased_at": {"type": "integer"}}},
          "Experiment": {"type": "object", "additionalProperties": false, "required": ["name", "variants"],
            "properties": {"id": {"type": "string"}, "name": {"type": "string"},
              "variants": {"type": "array", "minItems": 2, "items": {"type": "object", "additionalProperties": false,
                "required": ["name"], "properties": {"name": {"type": "string"}, "weight": {"type": "number"},
                "policy": {"type": "string", "enum": ["bandit", "model", "fixed"]}, "discount": {"type": "number"},
                "model_version": {"type": "integer", "minimum": 1}}}},
              "start": {"type": "integer"}, "end": {"type": "integer"}}}
        },
        "responses": {
          "BadRequest": {"description": "Malformed JSON, unknown field or wrong type; `field` names it.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Unauthorized": {"description": "Missing or unknown API key.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "NotFound": {"description": "Unknown id.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "TooLarge": {"description": "Body over the size limit or batch over the event limit.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      },
      "paths": {
        "/v1/events": {"post": {"summary": "Ingest one event or a batch (idempotent on event_id); durable on 200.",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"oneOf": [
            {"$ref": "#/components/schemas/Event"}, {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
            {"type": "object", "properties": {"events": {"type": "array",
              "items": {"$ref": "#/components/schemas/Event"}}}}]}}}},
          "responses": {"200": {"description": "Stored.", "content": {"application/json": {"schema":
            {"$ref": "#/components/schemas/IngestResponse"}}}}, "400": {"$ref": "#/components/responses/BadRequest"},
            "401": {"$ref": "#/components/responses/Unauthorized"}, "413": {"$ref": "#/components/responses/TooLarge"}}}},
        "/v1/users/{id}/recommendations": {"get": {"summary": "Items for a user, ranked by the trained recommender over their whole history (training plus live events); the experiment variant's model version when it names one.",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}},
            {"name": "category", "in": "query", "schema": {"type": "string"}},
            {"name": "exclude_seen", "in": "query", "schema": {"type": "boolean", "default": true}}],
          "responses": {"200": {"description": "Recommendations.", "content": {"application/json": {"schema":
            {"type": "object", "properties": {"model_version": {"type": ["integer", "null"]}, "recommendations":
            {"type": "array", "items": {"$ref": "#/components/schemas/Recommendation"}}}}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}}}},
        "/v1/bundles": {"get": {"summary": "Priced bundles for a product page, cart or user.",
          "parameters": [{"name": "user", "in": "query", "schema": {"type": "string"}},
            {"name": "item", "in": "query", "schema": {"type": "string"}},
            {"name": "cart", "in": "query", "schema": {"type": "string"}, "description": "Comma-separated item ids."},
            {"name": "session", "in": "query", "schema": {"type": "string"}},
            {"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 3}}],
          "responses": {"200": {"description": "Offers.", "content": {"application/json": {"schema": {"type": "object",
            "properties": {"model_version": {"type": ["integer", "null"]}, "bundles": {"type": "array",
            "items": {"$ref": "#/components/schemas/BundleOffer"}}}}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}}}},
        "/v1/items/{id}/neighbors": {"get": {"summary": "Complements and substitutes.",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "k", "in": "query", "schema": {"type": "integer", "default": 10}}],
          "responses": {"200": {"description": "Neighbours.", "content": {"application/json": {"schema":
            {"type": "object", "properties": {"item": {"type": "string"}, "complements": {"type": "array",
            "items": {"$ref": "#/components/schemas/Neighbor"}}, "substitutes": {"type": "array",
            "items": {"$ref": "#/components/schemas/Neighbor"}}}}}}}, "404": {"$ref": "#/components/responses/NotFound"}}}},
        "/v1/items/{id}": {
          "put": {"summary": "Create or replace a catalog item (admin).",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"required": true, "content": {"application/json": {"schema":
              {"$ref": "#/components/schemas/Item"}}}},
            "responses": {"200": {"description": "Stored item."}, "400": {"$ref": "#/components/responses/BadRequest"}}},
          "delete": {"summary": "Delete a catalog item; it is never served again (admin).",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "Deleted."}, "404": {"$ref": "#/components/responses/NotFound"}}}},
        "/v1/users/{id}": {"delete": {"summary": "Erase a user and their influence; returns a receipt (admin).",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "responses": {"200": {"description": "Receipt.", "content": {"application/json": {"schema":
            {"$ref": "#/components/schemas/DeletionReceipt"}}}}}}},
        "/v1/experiments": {
          "post": {"summary": "Create an experiment (admin).", "requestBody": {"required": true, "content":
            {"application/json": {"schema": {"$ref": "#/components/schemas/Experiment"}}}},
            "responses": {"201": {"description": "Created."}, "400": {"$ref": "#/components/responses/BadRequest"},
              "409": {"description": "Id exists."}}},
          "get": {"summary": "List experiments.", "responses": {"200": {"description": "Experiments."}}}},
        "/v1/experiments/{id}": {"get": {"summary": "Per-variant impressions, CTR, conversion, AOV, revenue per session, significance, sample size still needed.",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "responses": {"200": {"description": "Report."}, "404": {"$ref": "#/components/responses/NotFound"}}}},
        "/v1/experiments/{id}/replay": {"get": {"summary": "IPS estimate of a fixed-discount policy from logged bundle impressions.",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "discount", "in": "query", "required": true, "schema": {"type": "number"}}],
          "responses": {"200": {"description": "Estimate."}}}},
        "/v1/admin/stats": {"get": {"summary": "Store totals (admin): events, baskets, catalog items, model version.",
          "responses": {"200": {"description": "Totals."}}}},
        "/health/live": {"get": {"security": [], "summary": "Liveness.", "responses": {"200": {"description": "Alive."}}}},
        "/health/ready": {"get": {"security": [], "summary": "Readiness (store reachable).",
          "responses": {"200": {"description": "Ready."}, "503": {"description": "Store unavailable."}}}},
        "/metrics": {"get": {"security": [], "summary": "Prometheus metrics.",
          "responses": {"200": {"description": "Text exposition format."}}}},
        "/openapi.json": {"get": {"security": [], "summary": "This document.",
          "responses": {"200": {"description": "OpenAPI 3.1."}}}}
      }
    }
    """
}
