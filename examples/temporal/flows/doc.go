// Package flows runs restconn connectors on Temporal (go.temporal.io/sdk),
// the job engine many operators already run: imports that survive a dead
// worker without starting over, and access requests whose tickets take
// days to be worked, waited for with durable timers.
//
// It is an example, in a Go module of its own, so that restconn's users
// never download Temporal; copy it and change what you need.
//
// # Imports
//
// ImportWorkflow runs one activity, Activities.ImportAccounts or
// ImportAccess, with a heartbeat timeout and a retry policy. The activity
// builds the connector from its input, a Target (preset name and params:
// workflow history holds no secret, the worker adds them), and puts every
// record into the sink the worker provides (AccountSink, EntitlementSink).
// After each page it heartbeats a Progress holding the connector's resume
// token (connector.ImportOptions.Checkpoint). When the activity fails (a
// page the target refused, the sink down, the worker killed and its
// heartbeat timed out), Temporal retries it, on this worker or another,
// and the retry reads the last heartbeat (activity.GetHeartbeatDetails)
// and resumes after that page (connector.ImportOptions.Resume).
//
// Delivery is at-least-once per page: the records of the page the failed
// attempt was in come again, and after a worker died, those of the pages
// it read since its last heartbeat reached the server (the SDK throttles
// heartbeats to one per 80% of the heartbeat timeout). Sinks upsert by ID
// (AccountSink says more); nothing is lost.
//
// # Access requests and tickets
//
// ProvisionWorkflow runs Activities.Provision. When the target fulfils the
// request through a ticket (Result.Ticket), it waits for the ticket with
// workflow.Sleep between TicketStatus activities, on the schedule of
// connector.AwaitTicket (30s, growing by half up to 15m; AwaitPolicy). A
// timer is state on the Temporal server, not in the worker: a wait of days
// survives worker restarts and deployments, and costs no goroutine. The
// workflow returns the final ticket, completed or rejected; a long wait
// continues as new (AwaitTicketWorkflow) to keep its history short.
// Workflow code calls no connector: every request to the target is made by
// an activity, so replays are deterministic.
//
// # A worker
//
//	c, err := client.Dial(client.Options{HostPort: "localhost:7233"})
//	...
//	w := worker.New(c, flows.TaskQueue, worker.Options{})
//	flows.Register(w, &flows.Activities{
//		Connect:  flows.Presets(flows.Builtin, flows.EnvSecret),
//		Accounts: mySink, // upserts by ID
//	})
//	err = w.Run(worker.InterruptCh())
//
// The module's worker and starter commands do this; its README section
// "Scale-out on Temporal" says how to run them.
package flows
