// Package broadcasttest checks that a broadcast.Store implementation keeps
// the contract of the interface. Backends call TestStore from their own
// tests.
package broadcasttest
