"""The liaison's queries: what reached it from the committees, beside what it decided.

Each query is wrapped by ``projections.sql.filtered``, which filters and orders on the columns
selected here, so no two selected columns share a name. Amounts stay in minor units of the row's
``currency`` until the application shapes them.
"""

from __future__ import annotations

AGENCIES_SQL = """
SELECT a.agency_id, a.code, a.name, a.kind, p.code AS parent_code, a.registered_on,
  a.deregistered_on, a.deregistration_reason
FROM liaison_agencies AS a
LEFT JOIN liaison_agencies AS p ON p.agency_id = a.parent_id
"""

CONSULTATIONS_SQL = """
SELECT c.consultation_id, c.upstream, c.country, c.reference, c.purpose, c.category,
  c.agency_id, a.code AS agency_code, c.agency_name, c.currency, c.ceiling_minor,
  c.requested_on, c.closed_on, o.verdict, o.valid_until, o.withdrawn_on,
  CASE WHEN o.opinion_id IS NULL THEN 'awaiting_opinion'
       WHEN o.withdrawn_on IS NOT NULL THEN 'withdrawn'
       ELSE 'answered' END AS opinion_status
FROM liaison_consultations AS c
LEFT JOIN liaison_opinions AS o ON o.consultation_id = c.consultation_id
LEFT JOIN liaison_agencies AS a ON a.agency_id = c.agency_id
"""

OPINIONS_SQL = """
SELECT o.opinion_id, o.consultation_id, c.country, c.reference AS consultation_reference,
  c.category, o.agency_id, a.code AS agency_code, a.name AS agency_name, o.verdict,
  o.conditions, o.valid_until, o.recorded_on, o.currency, o.ceiling_minor, o.notes, o.revisions,
  o.recorded_by, o.withdrawn_on, o.withdrawal_reason
FROM liaison_opinions AS o
LEFT JOIN liaison_consultations AS c ON c.consultation_id = o.consultation_id
LEFT JOIN liaison_agencies AS a ON a.agency_id = o.agency_id
"""

NOMINATIONS_SQL = """
SELECT n.nomination_id, n.upstream, n.country, n.reference, n.person, n.trade, n.enterprise,
  n.urgency, n.union_id, n.union_name, n.nominated_on, n.approval_requested_on,
  d.decided_on,
  CASE WHEN d.decision_id IS NOT NULL THEN d.decision
       WHEN n.approval_requested_on IS NULL THEN 'approval_not_requested'
       ELSE 'awaiting_decision' END AS status
FROM liaison_nominations AS n
LEFT JOIN liaison_union_decisions AS d ON d.nomination_id = n.nomination_id
"""

UNION_DECISIONS_SQL = """
SELECT d.decision_id, d.nomination_id, n.country, n.reference AS nomination_reference,
  n.person, n.trade, d.union_id, a.code AS union_code, a.name AS union_name, d.decision,
  d.reason, d.decided_on, d.decided_by
FROM liaison_union_decisions AS d
LEFT JOIN liaison_nominations AS n ON n.nomination_id = d.nomination_id
LEFT JOIN liaison_agencies AS a ON a.agency_id = d.union_id
"""

PROCUREMENTS_SQL = """
SELECT p.procurement_id, p.upstream, p.country, p.reference, p.category, p.description,
  p.supplier, p.enterprise, p.agency_id, p.currency, p.amount_minor, p.committed_on,
  p.shipped_on, d.delivered_on, e.in_production_on,
  CASE WHEN p.cancelled_on IS NOT NULL THEN 'cancelled'
       WHEN e.enterprise_id IS NOT NULL THEN 'in_production'
       WHEN d.delivery_id IS NOT NULL THEN 'delivered'
       WHEN p.shipped_on IS NOT NULL THEN 'shipped'
       ELSE 'committed' END AS status
FROM liaison_procurements AS p
LEFT JOIN liaison_deliveries AS d ON d.procurement_id = p.procurement_id
LEFT JOIN liaison_enterprise_procurements AS ep ON ep.procurement_id = p.procurement_id
LEFT JOIN liaison_enterprises AS e ON e.enterprise_id = ep.enterprise_id
"""

DELIVERIES_SQL = """
SELECT d.delivery_id, d.procurement_id, p.country, p.reference AS procurement_reference,
  p.description, d.enterprise, d.delivered_on, d.confirmed_on, d.notes, d.confirmed_by
FROM liaison_deliveries AS d
LEFT JOIN liaison_procurements AS p ON p.procurement_id = d.procurement_id
"""

TRANSFERS_SQL = """
SELECT t.transfer_id, t.upstream, t.sender, t.recipient, t.purpose, t.currency,
  t.amount_minor, r.received_minor, t.initiated_on, t.sent_on, r.confirmed_on,
  CASE WHEN t.cancelled = 1 THEN 'cancelled'
       WHEN r.receipt_id IS NOT NULL THEN 'confirmed'
       WHEN t.sent_on IS NOT NULL THEN 'in_transit'
       ELSE 'initiated' END AS status
FROM liaison_transfers AS t
LEFT JOIN liaison_transfer_receipts AS r ON r.transfer_id = t.transfer_id
"""

TRANSFER_RECEIPTS_SQL = """
SELECT r.receipt_id, r.transfer_id, t.sender, r.receiver, r.currency,
  t.amount_minor AS sent_minor, r.received_minor, t.sent_on, r.confirmed_on, r.confirmed_by
FROM liaison_transfer_receipts AS r
LEFT JOIN liaison_transfers AS t ON t.transfer_id = r.transfer_id
"""

ENTERPRISES_SQL = """
SELECT enterprise_id, name, procurement_ids, in_production_on, reported_by
FROM liaison_enterprises
"""

# A transfer's recipient is written by the committee: an agency's code or its name.
AGENCY_NAMED_SQL = "SELECT agency_id FROM liaison_agencies WHERE code = ? OR LOWER(name) = LOWER(?)"

# The row of one known thing, by id, for the commands' checks.
KNOWN_SQL = {
    "consultation": "SELECT * FROM liaison_consultations WHERE consultation_id = ?",
    "nomination": "SELECT * FROM liaison_nominations WHERE nomination_id = ?",
    "procurement": "SELECT * FROM liaison_procurements WHERE procurement_id = ?",
    "transfer": "SELECT * FROM liaison_transfers WHERE transfer_id = ?",
}
