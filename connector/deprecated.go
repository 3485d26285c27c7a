package connector

// Names of round 1, kept so that code written against it still compiles.

// Deprecated: use ProvisionOp.
type OpSpec = ProvisionOp

// Deprecated: use ActiveRule.
type Active = ActiveRule

// Deprecated: use TokenPlacement.
type Inject = TokenPlacement

// Deprecated: use TicketTemplate.
type TicketRequest = TicketTemplate

// Deprecated: use TicketPoll. (Engine.TicketStatus, the method that polls a
// ticket, keeps its name.)
type TicketStatus = TicketPoll
