package main

import "context"

func benchWorkshops(ctx context.Context, o options, r *report) error { return nil }
func benchDevStart(ctx context.Context, o options, r *report) error  { return nil }
func benchOutage(ctx context.Context, o options, r *report) error    { return nil }
func benchLoad(ctx context.Context, o options, r *report) error      { return nil }
