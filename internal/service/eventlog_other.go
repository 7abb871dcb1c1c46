//go:build !windows

package service

func openEventLog(string) eventSink { return noEvents{} }
