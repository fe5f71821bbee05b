// Package worker registers kamflow's workflows and activities with a
// Temporal worker.
package worker

import (
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/kamflow/kamflow/activities"
	"github.com/kamflow/kamflow/workflows"
)

// RegisterWorkflows registers every workflow type under its stable name;
// the replayer uses it too.
func RegisterWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(workflows.Programme, workflow.RegisterOptions{Name: workflows.ProgrammeWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Training, workflow.RegisterOptions{Name: workflows.TrainingWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Review, workflow.RegisterOptions{Name: workflows.ReviewWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Handover, workflow.RegisterOptions{Name: workflows.HandoverWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Workshop, workflow.RegisterOptions{Name: workflows.WorkshopWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.AccountPlan, workflow.RegisterOptions{Name: workflows.PlanWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.JourFixe, workflow.RegisterOptions{Name: workflows.JourFixeWorkflowName})
}

// RegisterActivities registers the activities under the names workflows call.
func RegisterActivities(r sdkworker.ActivityRegistry, a *activities.Activities) {
	r.RegisterActivityWithOptions(a.RecordProgrammeEvent, activity.RegisterOptions{Name: workflows.ActivityRecordProgrammeEvent})
	r.RegisterActivityWithOptions(a.Notify, activity.RegisterOptions{Name: workflows.ActivityNotify})
	r.RegisterActivityWithOptions(a.ComputeCandidates, activity.RegisterOptions{Name: workflows.ActivityComputeCandidates})
	r.RegisterActivityWithOptions(a.ConfirmKeyAccounts, activity.RegisterOptions{Name: workflows.ActivityConfirmKeyAccounts})
	r.RegisterActivityWithOptions(a.AssignKeyAccount, activity.RegisterOptions{Name: workflows.ActivityAssignKeyAccount})
	r.RegisterActivityWithOptions(a.RecordEnrolmentStatus, activity.RegisterOptions{Name: workflows.ActivityRecordEnrolmentStatus})
	r.RegisterActivityWithOptions(a.ReleaseSeat, activity.RegisterOptions{Name: workflows.ActivityReleaseSeat})
	r.RegisterActivityWithOptions(a.ReportTrainingCompletion, activity.RegisterOptions{Name: workflows.ActivityReportTrainingCompletion})
	r.RegisterActivityWithOptions(a.TrainingDeadline, activity.RegisterOptions{Name: workflows.ActivityTrainingDeadline})
	r.RegisterActivityWithOptions(a.MissingRequiredCourses, activity.RegisterOptions{Name: workflows.ActivityMissingRequiredCourses})
	r.RegisterActivityWithOptions(a.RoleRecipients, activity.RegisterOptions{Name: workflows.ActivityRoleRecipients})
	r.RegisterActivityWithOptions(a.GatherReview, activity.RegisterOptions{Name: workflows.ActivityGatherReview})
	r.RegisterActivityWithOptions(a.SaveFindings, activity.RegisterOptions{Name: workflows.ActivitySaveFindings})
	r.RegisterActivityWithOptions(a.SaveMeasure, activity.RegisterOptions{Name: workflows.ActivitySaveMeasure})
	r.RegisterActivityWithOptions(a.CompleteMeasure, activity.RegisterOptions{Name: workflows.ActivityCompleteMeasure})
	r.RegisterActivityWithOptions(a.SetReviewStatus, activity.RegisterOptions{Name: workflows.ActivitySetReviewStatus})
	r.RegisterActivityWithOptions(a.StartHandover, activity.RegisterOptions{Name: workflows.ActivityStartHandover})
	r.RegisterActivityWithOptions(a.RecordIncoming, activity.RegisterOptions{Name: workflows.ActivityRecordIncoming})
	r.RegisterActivityWithOptions(a.TickHandoverItem, activity.RegisterOptions{Name: workflows.ActivityTickHandoverItem})
	r.RegisterActivityWithOptions(a.CompleteHandover, activity.RegisterOptions{Name: workflows.ActivityCompleteHandover})
	r.RegisterActivityWithOptions(a.MoveAccountWork, activity.RegisterOptions{Name: workflows.ActivityMoveAccountWork})
	r.RegisterActivityWithOptions(a.RunningWorkshops, activity.RegisterOptions{Name: workflows.ActivityRunningWorkshops})
	r.RegisterActivityWithOptions(a.PrepareWorkshop, activity.RegisterOptions{Name: workflows.ActivityPrepareWorkshop})
	r.RegisterActivityWithOptions(a.UpdateWorkshop, activity.RegisterOptions{Name: workflows.ActivityUpdateWorkshop})
	r.RegisterActivityWithOptions(a.SetWorkshopParticipants, activity.RegisterOptions{Name: workflows.ActivitySetWorkshopParticipants})
	r.RegisterActivityWithOptions(a.SaveActions, activity.RegisterOptions{Name: workflows.ActivitySaveActions})
	r.RegisterActivityWithOptions(a.CompleteAction, activity.RegisterOptions{Name: workflows.ActivityCompleteAction})
	r.RegisterActivityWithOptions(a.SetPlanStatus, activity.RegisterOptions{Name: workflows.ActivitySetPlanStatus})
	r.RegisterActivityWithOptions(a.ReportPlanApproved, activity.RegisterOptions{Name: workflows.ActivityReportPlanApproved})
	r.RegisterActivityWithOptions(a.PrepareJourFixe, activity.RegisterOptions{Name: workflows.ActivityPrepareJourFixe})
	r.RegisterActivityWithOptions(a.SaveJourFixeInput, activity.RegisterOptions{Name: workflows.ActivitySaveInput})
	r.RegisterActivityWithOptions(a.PoolJourFixe, activity.RegisterOptions{Name: workflows.ActivityPoolJourFixe})
	r.RegisterActivityWithOptions(a.SendJourFixePicture, activity.RegisterOptions{Name: workflows.ActivitySendJourFixePicture})
}

// New creates a worker polling taskQueue with all of kamflow registered;
// activities get the worker's client. pollers is how many long polls each
// of the workflow and activity task queues keeps open.
func New(c client.Client, taskQueue string, pollers int, a *activities.Activities) sdkworker.Worker {
	a.Temporal, a.TaskQueue = c, taskQueue
	w := sdkworker.New(c, taskQueue, Options(pollers))
	RegisterWorkflows(w)
	RegisterActivities(w, a)
	return w
}

// Options are the SDK worker settings kamflow runs with. The SDK's two
// workflow task pollers are shared by the sticky and the normal queue, so
// queries from many readers of one programme queued behind each other
// (p99 0.7 s at 32 readers, 90 ms with 8 pollers; see bench/RESULTS.md).
func Options(pollers int) sdkworker.Options {
	return sdkworker.Options{
		// Let in-flight activities finish on Ctrl-C / SIGTERM.
		WorkerStopTimeout:                20 * time.Second,
		MaxConcurrentWorkflowTaskPollers: pollers,
		MaxConcurrentActivityTaskPollers: pollers,
	}
}
