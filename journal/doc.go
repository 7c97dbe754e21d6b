// Package journal runs a bot's update journal (backend.Journal): the
// Receiver side stores what a source (long polling, a webhook) receives
// and lets it confirm the updates to Telegram at once; the Worker side
// owns partitions of the journal, hands their entries to a scheduler in
// order and acknowledges each one after its handler finished.
//
// Receivers and workers may share one process (herald's default when the
// bot has a journal) or run as separate processes on one shared journal
// (herald.WithRole): a chat's updates stay in one partition, a partition
// has one owner at a time (a lease, renewed while the owner lives), and an
// owner that dies or leaves hands its unacknowledged entries, in order, to
// the partition's next owner. So every update is handled at least once,
// one chat's updates one at a time and in order, on one machine or many.
//
// The package knows updates only as JSON and scheduling keys: it decides
// neither how an update is handled (the Worker's Handler) nor its key
// (the Receiver's Key function).
package journal
