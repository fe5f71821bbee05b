package workflows

import (
	"errors"
	"reflect"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// UpdateActivityBound is how long an update handler's activities may take
// together, retries included. It stays below the web's wait for an update (30 s), so
// a request waiting on a slow database gets an answer, not a timeout.
const UpdateActivityBound = 20 * time.Second

// ErrTypeUnavailable is the error type of an update whose step was taken
// but whose activity (a database write, a notification) did not finish
// within UpdateActivityBound; the web answers 503 with Retry-After.
const ErrTypeUnavailable = "Unavailable"

// updatePathKey marks the context of an update handler; its value is the
// time by which the handler's activities must be done.
type updatePathKey struct{}

// onUpdatePath wraps an update handler func(workflow.Context, Req) (Res,
// error) so its activities run with bounded options and an activity that
// ran out of time answers as ErrTypeUnavailable.
func onUpdatePath(handler any) any {
	fn := reflect.ValueOf(handler)
	return reflect.MakeFunc(fn.Type(), func(args []reflect.Value) []reflect.Value {
		ctx := args[0].Interface().(workflow.Context)
		deadline := workflow.Now(ctx).Add(UpdateActivityBound)
		args[0] = reflect.ValueOf(workflow.WithValue(ctx, updatePathKey{}, deadline))
		out := fn.Call(args)
		last := len(out) - 1
		if err, _ := out[last].Interface().(error); err != nil && ranOutOfTime(err) {
			wrapped := unavailable(err)
			out[last] = reflect.ValueOf(&wrapped).Elem()
		}
		return out
	}).Interface()
}

// ranOutOfTime reports an activity that timed out or used up its retries
// (the server reports a timeout; the last failure was retryable); a
// permanent failure (non-retryable) or a cancellation is no such case.
func ranOutOfTime(err error) bool {
	var act *temporal.ActivityError
	if !errors.As(err, &act) {
		return false
	}
	var app *temporal.ApplicationError
	var canceled *temporal.CanceledError
	return !(errors.As(err, &app) && app.NonRetryable()) && !errors.As(err, &canceled)
}

func unavailable(cause error) error {
	return temporal.NewNonRetryableApplicationError(
		"the step was taken, but recording it did not finish in time; it counts once — do not send it again with a new key",
		ErrTypeUnavailable, cause)
}

// IsUnavailable reports an update that ran out of time on its activity.
func IsUnavailable(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == ErrTypeUnavailable
}
