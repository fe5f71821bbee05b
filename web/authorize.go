package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kamflow/kamflow/policy"
	"github.com/kamflow/kamflow/store"
)

// guard is a route's entry in the policy: the action it does and what on.
type guard struct {
	act    policy.Action
	target targetKind
}

// targetKind names how a route's path finds the thing acted on.
type targetKind string

const (
	noTarget           targetKind = ""
	programmeTarget    targetKind = "programme"       // :id is a programme
	accountTarget      targetKind = "account"         // :id is a key account
	accountAction      targetKind = "account-action"  // :id key account, :actionID one of its actions
	workshopTarget     targetKind = "workshop"        // :id is a workshop
	workshopAction     targetKind = "workshop-action" // :id workshop, :actionID one of its actions
	actionTarget       targetKind = "action"          // :id is an action
	measureTarget      targetKind = "measure"         // :id is a review measure
	reviewTarget       targetKind = "review"          // :id is a review
	reviewMeasure      targetKind = "review-measure"  // :id review, :measureID one of its measures
	jourFixeTarget     targetKind = "jourfixe"        // :id is a jour fixe
	enrolmentTarget    targetKind = "enrolment"       // :id is an enrolment
	employeeTarget     targetKind = "employee"        // :id is an employee
	notificationTarget targetKind = "notification"    // :id is a notification
	apiPrefix                     = "/api/v1"
	errNoPolicyPrefix             = "route has no policy entry"
)

// routeGuards is the policy of every route, keyed "METHOD path" as Echo
// names the route; a route missing here answers 500 (and fails
// TestEveryRouteHasPolicy).
var routeGuards = map[string]guard{
	"GET /healthz":                        {policy.ActPublic, noTarget},
	"GET /static/*":                       {policy.ActPublic, noTarget},
	"GET /calendar/:file":                 {policy.ActPublic, noTarget},
	"GET /login":                          {policy.ActPublic, noTarget},
	"POST /login":                         {policy.ActPublic, noTarget},
	"POST /logout":                        {policy.ActPublic, noTarget},
	"GET /login/oidc":                     {policy.ActPublic, noTarget},
	"GET /login/oidc/callback":            {policy.ActPublic, noTarget},
	"GET /api/v1/openapi.json":            {policy.ActPublic, noTarget},
	"GET /":                               {policy.ActSignedIn, noTarget},
	"POST /language":                      {policy.ActSignedIn, noTarget},
	"GET /settings":                       {policy.ActSignedIn, noTarget},
	"POST /settings":                      {policy.ActSignedIn, noTarget},
	"GET /notifications":                  {policy.ActSignedIn, noTarget},
	"POST /notifications/calendar":        {policy.ActSignedIn, noTarget},
	"POST /notifications/calendar/revoke": {policy.ActSignedIn, noTarget},
	"POST /notifications/read":            {policy.ActSignedIn, noTarget},
	"POST /notifications/:id/open":        {policy.ActNotificationOpen, notificationTarget},
	"POST /notifications/:id/read":        {policy.ActNotificationOpen, notificationTarget},
	"POST /api/v1/me/calendar-token":      {policy.ActSignedIn, noTarget},
	"DELETE /api/v1/me/calendar-token":    {policy.ActSignedIn, noTarget},

	// Pages and forms.
	"GET /programmes/new":           {policy.ActProgrammeCreate, noTarget},
	"GET /my-work":                  {policy.ActSignedIn, noTarget},
	"POST /programmes":              {policy.ActProgrammeCreate, noTarget},
	"GET /programmes/:id":           {policy.ActProgrammeRead, programmeTarget},
	"GET /programmes/:id/selection": {policy.ActProgrammeRead, programmeTarget},
	"POST /programmes/:id/selection/:customerID/decision":          {policy.ActProgrammeManage, programmeTarget},
	"POST /programmes/:id/selection/criteria-form":                 {policy.ActProgrammeManage, programmeTarget},
	"GET /programmes/:id/selection/scores/:customerID":             {policy.ActProgrammeManage, programmeTarget},
	"POST /programmes/:id/selection/scores/:customerID":            {policy.ActProgrammeManage, programmeTarget},
	"GET /programmes/:id/selection/scores/import":                  {policy.ActProgrammeManage, programmeTarget},
	"GET /programmes/:id/selection/scores/import/template.csv":     {policy.ActProgrammeManage, programmeTarget},
	"POST /programmes/:id/selection/scores/import":                 {policy.ActProgrammeManage, programmeTarget},
	"POST /programmes/:id/selection/compute-form":                  {policy.ActProgrammeManage, programmeTarget},
	"POST /programmes/:id/selection/assignments/:customerID":       {policy.ActProgrammeManage, programmeTarget},
	"POST /programmes/:id/pause-form":                              {policy.ActProgrammeManage, programmeTarget},
	"POST /programmes/:id/resume-form":                             {policy.ActProgrammeManage, programmeTarget},
	"POST /programmes/:id/replan-form":                             {policy.ActProgrammeManage, programmeTarget},
	"POST /programmes/:id/cancel-form":                             {policy.ActProgrammeCancel, programmeTarget},
	"POST /programmes/:id/phases/:phase/submit":                    {policy.ActProgrammeSubmit, programmeTarget},
	"POST /programmes/:id/phases/:phase/approve":                   {policy.ActProgrammeDecide, programmeTarget},
	"POST /programmes/:id/phases/:phase/reject":                    {policy.ActProgrammeDecide, programmeTarget},
	"GET /key-accounts/:id":                                        {policy.ActAccountRead, accountTarget},
	"GET /key-accounts":                                            {policy.ActAccountList, noTarget},
	"POST /key-accounts/:id/actions/:actionID/done-form":           {policy.ActActionComplete, accountAction},
	"POST /key-accounts/:id/actions/:actionID/owner-form":          {policy.ActWorkAssign, accountTarget},
	"GET /key-accounts/:id/plan":                                   {policy.ActPlanWrite, accountTarget},
	"POST /key-accounts/:id/plan-form":                             {policy.ActPlanWrite, accountTarget},
	"POST /key-accounts/:id/plan/submit-form":                      {policy.ActPlanWrite, accountTarget},
	"POST /key-accounts/:id/plan/decision-form":                    {policy.ActPlanDecide, accountTarget},
	"POST /workshops/:id/dates-form":                               {policy.ActWorkshopPlan, workshopTarget},
	"POST /workshops/:id/minutes-form":                             {policy.ActWorkshopPlan, workshopTarget},
	"GET /training":                                                {policy.ActTrainingManage, noTarget},
	"POST /training/enrolments":                                    {policy.ActTrainingManage, noTarget},
	"POST /training/courses":                                       {policy.ActTrainingManage, noTarget},
	"POST /training/sessions":                                      {policy.ActTrainingManage, noTarget},
	"POST /training/sessions/:id/cancel":                           {policy.ActTrainingManage, noTarget},
	"POST /training/enrolments/:id/attendance":                     {policy.ActTrainingManage, noTarget},
	"POST /training/records":                                       {policy.ActTrainingManage, noTarget},
	"GET /reviews":                                                 {policy.ActReviewManage, noTarget},
	"POST /reviews/programmes/:id":                                 {policy.ActReviewManage, noTarget},
	"POST /reviews/programmes/:id/cadence":                         {policy.ActReviewManage, noTarget},
	"GET /reviews/:id":                                             {policy.ActReviewRead, reviewTarget},
	"GET /reviews/:id/report.csv":                                  {policy.ActReviewRead, reviewTarget},
	"POST /reviews/:id/findings-form":                              {policy.ActReviewManage, noTarget},
	"POST /reviews/:id/measures-form":                              {policy.ActReviewManage, noTarget},
	"POST /reviews/:id/measures/:measureID/done-form":              {policy.ActMeasureDone, reviewMeasure},
	"POST /reviews/:id/sign-off-form":                              {policy.ActReviewManage, noTarget},
	"GET /customers":                                               {policy.ActReference, noTarget},
	"GET /customers/new":                                           {policy.ActReference, noTarget},
	"GET /customers/:id/edit":                                      {policy.ActReference, noTarget},
	"GET /customers/import":                                        {policy.ActReference, noTarget},
	"GET /customers/import/template.csv":                           {policy.ActReference, noTarget},
	"POST /customers/import":                                       {policy.ActReference, noTarget},
	"GET /customers.csv":                                           {policy.ActReference, noTarget},
	"POST /customers":                                              {policy.ActReference, noTarget},
	"GET /customers/:id":                                           {policy.ActReference, noTarget},
	"POST /customers/:id":                                          {policy.ActReference, noTarget},
	"POST /customers/:id/archive":                                  {policy.ActCustomerDelete, noTarget},
	"POST /customers/:id/restore":                                  {policy.ActCustomerDelete, noTarget},
	"GET /contacts":                                                {policy.ActReference, noTarget},
	"GET /contacts/new":                                            {policy.ActReference, noTarget},
	"GET /contacts/import":                                         {policy.ActReference, noTarget},
	"GET /contacts/import/template.csv":                            {policy.ActReference, noTarget},
	"POST /contacts/import":                                        {policy.ActReference, noTarget},
	"GET /contacts.csv":                                            {policy.ActReference, noTarget},
	"POST /contacts":                                               {policy.ActReference, noTarget},
	"GET /contacts/:id":                                            {policy.ActReference, noTarget},
	"POST /contacts/:id":                                           {policy.ActReference, noTarget},
	"POST /contacts/:id/archive":                                   {policy.ActReference, noTarget},
	"POST /contacts/:id/restore":                                   {policy.ActReference, noTarget},
	"GET /employee-options":                                        {policy.ActDirectoryRead, noTarget},
	"GET /employees":                                               {policy.ActPeopleRead, noTarget},
	"GET /employees/new":                                           {policy.ActPeopleWrite, noTarget},
	"POST /employees":                                              {policy.ActPeopleWrite, noTarget},
	"GET /employees/:id":                                           {policy.ActPeopleWrite, noTarget},
	"POST /employees/:id":                                          {policy.ActPeopleWrite, noTarget},
	"POST /employees/:id/archive":                                  {policy.ActPeopleWrite, noTarget},
	"POST /employees/:id/restore":                                  {policy.ActPeopleWrite, noTarget},
	"GET /admin/users":                                             {policy.ActAdmin, noTarget},
	"GET /admin/users/new":                                         {policy.ActAdmin, noTarget},
	"POST /admin/users":                                            {policy.ActAdmin, noTarget},
	"GET /admin/users/:id":                                         {policy.ActAdmin, noTarget},
	"POST /admin/users/:id":                                        {policy.ActAdmin, noTarget},
	"GET /admin":                                                   {policy.ActAdmin, noTarget},
	"POST /admin/tokens":                                           {policy.ActAdmin, noTarget},
	"POST /admin/tokens/:id/revoke":                                {policy.ActAdmin, noTarget},
	"POST /key-accounts/:id/handover-form":                         {policy.ActHandoverStart, accountTarget},
	"POST /key-accounts/:id/handover/incoming-form":                {policy.ActHandoverChoose, accountTarget},
	"POST /key-accounts/:id/handover/items/:item/tick-form":        {policy.ActHandoverTick, accountTarget},
	"POST /programmes/:id/jour-fixe-schedule-form":                 {policy.ActJourFixeSchedule, programmeTarget},
	"POST /programmes/:id/jour-fixe-schedule/stop-form":            {policy.ActJourFixeSchedule, programmeTarget},
	"POST /programmes/:id/jour-fixes-form":                         {policy.ActJourFixeStart, programmeTarget},
	"GET /jour-fixes/:id":                                          {policy.ActJourFixeRead, jourFixeTarget},
	"POST /jour-fixes/:id/input-form":                              {policy.ActJourFixeInput, jourFixeTarget},
	"GET /key-accounts/:id/relationship-form":                      {policy.ActAccountWrite, accountTarget},
	"POST /key-accounts/:id/relationships-form":                    {policy.ActAccountWrite, accountTarget},
	"POST /key-accounts/:id/workshops-form":                        {policy.ActAccountWrite, accountTarget},
	"GET /workshops/:id":                                           {policy.ActAccountRead, workshopTarget},
	"POST /workshops/:id/participants-form":                        {policy.ActWorkshopPlan, workshopTarget},
	"GET /training/sessions/:id":                                   {policy.ActTrainingManage, noTarget},
	"POST /training/sessions/:id/enrolments-form":                  {policy.ActTrainingManage, noTarget},
	"POST /training/enrolments/:id/cancel-form":                    {policy.ActTrainingManage, noTarget},
	"POST /training/enrolments/:id/move-form":                      {policy.ActTrainingManage, noTarget},
	"POST /training/programmes/:id/kams/:employeeID/complete-form": {policy.ActTrainingComplete, programmeTarget},

	// API: programmes.
	"POST /api/v1/programmes":                                    {policy.ActProgrammeCreate, noTarget},
	"GET /api/v1/programmes":                                     {policy.ActProgrammeRead, noTarget},
	"GET /api/v1/programmes/:id":                                 {policy.ActProgrammeRead, programmeTarget},
	"GET /api/v1/programmes/:id/audit":                           {policy.ActProgrammeRead, programmeTarget},
	"POST /api/v1/programmes/:id/phases/:phase/submit":           {policy.ActProgrammeSubmit, programmeTarget},
	"POST /api/v1/programmes/:id/phases/:phase/approve":          {policy.ActProgrammeDecide, programmeTarget},
	"POST /api/v1/programmes/:id/phases/:phase/reject":           {policy.ActProgrammeDecide, programmeTarget},
	"POST /api/v1/programmes/:id/pause":                          {policy.ActProgrammeManage, programmeTarget},
	"POST /api/v1/programmes/:id/resume":                         {policy.ActProgrammeManage, programmeTarget},
	"POST /api/v1/programmes/:id/cancel":                         {policy.ActProgrammeCancel, programmeTarget},
	"PUT /api/v1/programmes/:id/plan":                            {policy.ActProgrammeManage, programmeTarget},
	"PUT /api/v1/programmes/:id/criteria":                        {policy.ActProgrammeManage, programmeTarget},
	"PUT /api/v1/programmes/:id/scores/:customerID":              {policy.ActProgrammeManage, programmeTarget},
	"GET /api/v1/programmes/:id/selection":                       {policy.ActProgrammeRead, programmeTarget},
	"POST /api/v1/programmes/:id/selection/compute":              {policy.ActProgrammeManage, programmeTarget},
	"POST /api/v1/programmes/:id/selection/:customerID/decision": {policy.ActProgrammeManage, programmeTarget},
	"PUT /api/v1/programmes/:id/assignments/:customerID":         {policy.ActProgrammeManage, programmeTarget},
	"POST /api/v1/programmes/:id/training/:employeeID/complete":  {policy.ActTrainingComplete, programmeTarget},
	"POST /api/v1/programmes/:id/training/:employeeID/exception": {policy.ActTrainingException, programmeTarget},
	"POST /api/v1/programmes/:id/plans/:customerID/approve":      {policy.ActProgrammePlanDecide, programmeTarget},

	// API: training.
	"GET /api/v1/courses":                         {policy.ActCatalogueRead, noTarget},
	"POST /api/v1/courses":                        {policy.ActTrainingManage, noTarget},
	"PUT /api/v1/courses/:id":                     {policy.ActTrainingManage, noTarget},
	"GET /api/v1/sessions":                        {policy.ActCatalogueRead, noTarget},
	"POST /api/v1/sessions":                       {policy.ActTrainingManage, noTarget},
	"GET /api/v1/sessions/:id":                    {policy.ActCatalogueRead, noTarget},
	"PUT /api/v1/sessions/:id":                    {policy.ActTrainingManage, noTarget},
	"POST /api/v1/sessions/:id/cancel":            {policy.ActTrainingManage, noTarget},
	"POST /api/v1/sessions/:id/enrolments":        {policy.ActTrainingManage, noTarget},
	"GET /api/v1/enrolments/:id":                  {policy.ActEnrolmentRead, enrolmentTarget},
	"POST /api/v1/enrolments/:id/attendance":      {policy.ActTrainingManage, noTarget},
	"POST /api/v1/enrolments/:id/cancel":          {policy.ActTrainingManage, noTarget},
	"POST /api/v1/enrolments/:id/move":            {policy.ActTrainingManage, noTarget},
	"GET /api/v1/training/missing":                {policy.ActCatalogueRead, noTarget},
	"POST /api/v1/employees/:id/training-records": {policy.ActTrainingManage, noTarget},
	"GET /api/v1/employees/:id/training-records":  {policy.ActTrainingRecord, employeeTarget},

	// API: reviews.
	"GET /api/v1/programmes/:id/review-cadence":             {policy.ActProgrammeRead, programmeTarget},
	"PUT /api/v1/programmes/:id/review-cadence":             {policy.ActReviewManage, noTarget},
	"DELETE /api/v1/programmes/:id/review-cadence":          {policy.ActReviewManage, noTarget},
	"POST /api/v1/programmes/:id/reviews":                   {policy.ActReviewManage, noTarget},
	"GET /api/v1/programmes/:id/reviews":                    {policy.ActReviewList, programmeTarget},
	"GET /api/v1/reviews/:id":                               {policy.ActReviewRead, reviewTarget},
	"GET /api/v1/reviews/:id/report.csv":                    {policy.ActReviewRead, reviewTarget},
	"POST /api/v1/reviews/:id/findings":                     {policy.ActReviewManage, noTarget},
	"POST /api/v1/reviews/:id/measures":                     {policy.ActReviewManage, noTarget},
	"POST /api/v1/reviews/:id/measures/:measureID/complete": {policy.ActMeasureDone, reviewMeasure},
	"POST /api/v1/reviews/:id/sign-off":                     {policy.ActReviewManage, noTarget},
	"PUT /api/v1/customers/:id/financials/:period":          {policy.ActReviewManage, noTarget},

	// API: key accounts.
	"GET /api/v1/key-accounts/:id/contact-matrix":                     {policy.ActAccountRead, accountTarget},
	"GET /api/v1/key-accounts/:id/contact-matrix.csv":                 {policy.ActAccountRead, accountTarget},
	"PUT /api/v1/key-accounts/:id/relationships":                      {policy.ActAccountWrite, accountTarget},
	"POST /api/v1/key-accounts/:id/relationships/:relationshipID/end": {policy.ActAccountWrite, accountTarget},
	"POST /api/v1/key-accounts/:id/handover":                          {policy.ActHandoverStart, accountTarget},
	"GET /api/v1/key-accounts/:id/handover":                           {policy.ActAccountRead, accountTarget},
	"GET /api/v1/key-accounts/:id/handovers":                          {policy.ActAccountRead, accountTarget},
	"POST /api/v1/key-accounts/:id/handover/incoming":                 {policy.ActHandoverChoose, accountTarget},
	"POST /api/v1/key-accounts/:id/handover/items/:item":              {policy.ActHandoverTick, accountTarget},
	"GET /api/v1/key-accounts/:id/workshop-schedule":                  {policy.ActAccountRead, accountTarget},
	"PUT /api/v1/key-accounts/:id/workshop-schedule":                  {policy.ActAccountWrite, accountTarget},
	"POST /api/v1/key-accounts/:id/workshops":                         {policy.ActAccountWrite, accountTarget},
	"GET /api/v1/key-accounts/:id/workshops":                          {policy.ActAccountRead, accountTarget},
	"GET /api/v1/workshops/:id":                                       {policy.ActAccountRead, workshopTarget},
	"POST /api/v1/workshops/:id/dates":                                {policy.ActWorkshopPlan, workshopTarget},
	"POST /api/v1/workshops/:id/minutes":                              {policy.ActWorkshopPlan, workshopTarget},
	"PUT /api/v1/workshops/:id/participants":                          {policy.ActWorkshopPlan, workshopTarget},
	"POST /api/v1/workshops/:id/actions/:actionID/complete":           {policy.ActActionComplete, workshopAction},
	"GET /api/v1/key-accounts/:id/plan":                               {policy.ActAccountRead, accountTarget},
	"PUT /api/v1/key-accounts/:id/plan":                               {policy.ActPlanWrite, accountTarget},
	"POST /api/v1/key-accounts/:id/plan/submit":                       {policy.ActPlanWrite, accountTarget},
	"POST /api/v1/key-accounts/:id/plan/approve":                      {policy.ActPlanDecide, accountTarget},
	"POST /api/v1/key-accounts/:id/plan/reject":                       {policy.ActPlanDecide, accountTarget},
	"POST /api/v1/key-accounts/:id/plan/actions/:actionID/complete":   {policy.ActActionComplete, accountAction},
	"GET /api/v1/key-accounts/:id/actions":                            {policy.ActAccountRead, accountTarget},
	"GET /api/v1/key-accounts/:id/satisfaction":                       {policy.ActAccountRead, accountTarget},
	"GET /api/v1/employees":                                           {policy.ActDirectoryRead, noTarget},
	"GET /api/v1/key-accounts":                                        {policy.ActAccountList, noTarget},
	"PUT /api/v1/actions/:id/owner":                                   {policy.ActWorkAssign, actionTarget},
	"PUT /api/v1/measures/:id/owner":                                  {policy.ActWorkAssign, measureTarget},

	// API: jour fixes.
	"PUT /api/v1/programmes/:id/jour-fixe-schedule":    {policy.ActJourFixeSchedule, programmeTarget},
	"DELETE /api/v1/programmes/:id/jour-fixe-schedule": {policy.ActJourFixeSchedule, programmeTarget},
	"POST /api/v1/programmes/:id/jour-fixes":           {policy.ActJourFixeStart, programmeTarget},
	"GET /api/v1/programmes/:id/jour-fixes":            {policy.ActJourFixeRead, programmeTarget},
	"GET /api/v1/jour-fixes/:id":                       {policy.ActJourFixeRead, jourFixeTarget},
	"POST /api/v1/jour-fixes/:id/inputs":               {policy.ActJourFixeInput, jourFixeTarget},

	// The roll-out's record: the programme page's forms and the API.
	"POST /programmes/:id/rollout/conflicts-form":                       {policy.ActProgrammeManage, programmeTarget},
	"POST /programmes/:id/rollout/conflicts/:conflictID/resolve-form":   {policy.ActProgrammeManage, programmeTarget},
	"POST /programmes/:id/rollout/briefings-form":                       {policy.ActProgrammeManage, programmeTarget},
	"POST /api/v1/programmes/:id/rollout/conflicts":                     {policy.ActProgrammeManage, programmeTarget},
	"POST /api/v1/programmes/:id/rollout/conflicts/:conflictID/resolve": {policy.ActProgrammeManage, programmeTarget},
	"POST /api/v1/programmes/:id/rollout/briefings":                     {policy.ActProgrammeManage, programmeTarget},
}

// RoutePolicy tells which action a route does and what its :id names
// (for tests and the README); ok is false for a route without a policy.
func RoutePolicy(method, path string) (act policy.Action, target string, ok bool) {
	g, ok := routeGuards[method+" "+path]
	return g.act, string(g.target), ok
}

// errNotAllowed is the refusal of the policy.
func errNotAllowed(act policy.Action) error {
	r, _ := policy.RuleOf(act)
	return apiErr(http.StatusForbidden, "forbidden", "you may not "+r.What)
}

// authorize asks the policy about the route's action on its target; it
// runs after the session or API token is known.
func (s *Server) authorize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Method + " " + c.Path()
		g, ok := routeGuards[key]
		if !ok && !s.routed[key] {
			// No route of ours matched (wrong method, unknown path):
			// Echo's not-found or method-not-allowed answer follows.
			return next(c)
		}
		if !ok {
			return serverError(fmt.Errorf("%s: %s %s", errNoPolicyPrefix, c.Request().Method, c.Path()))
		}
		u := currentUser(c)
		if r, _ := policy.RuleOf(g.act); r.Public {
			return next(c)
		}
		if u == nil {
			if wantsJSON(c) {
				return errUnauthenticated
			}
			return c.Redirect(http.StatusSeeOther, "/login")
		}
		if !policy.Possible(u, g.act) {
			return errNotAllowed(g.act)
		}
		reading := changesNothing(c.Request())
		if reading {
			// A page asks the policy many times about one programme or
			// account; a reading request learns each relation once.
			c.SetRequest(c.Request().WithContext(policy.Remembering(c.Request().Context())))
		}
		t, err := s.targetOf(c, g.target)
		if err != nil {
			return err
		}
		allowed, err := s.policy.May(c.Request().Context(), u, g.act, t)
		if err != nil {
			return serverError(err)
		}
		if !allowed {
			return errNotAllowed(g.act)
		}
		if reading {
			c.Set(ctxTarget, t)
		}
		return next(c)
	}
}

// ctxTarget holds the route's target as authorize loaded it, for a request
// that changes nothing: its handler need not read it again. A changing
// request reads afresh what it changes.
const ctxTarget = "target"

// changesNothing: the request only reads (GET, HEAD).
func changesNothing(r *http.Request) bool {
	return r.Method == http.MethodGet || r.Method == http.MethodHead
}

// loadedKeyAccount is the key account authorize loaded for this reading
// request, if it is the one with id.
func loadedKeyAccount(c echo.Context, id uint) *store.KeyAccount {
	if t, ok := c.Get(ctxTarget).(policy.Target); ok && t.KeyAccount != nil && t.KeyAccount.ID == id {
		return t.KeyAccount
	}
	return nil
}

// may asks the policy for the signed-in user; a failure to find out is
// "no" (and logged), so a page still renders without the button.
func (s *Server) may(c echo.Context, act policy.Action, t policy.Target) bool {
	ok, err := s.policy.May(c.Request().Context(), currentUser(c), act, withRouteLead(c, t))
	if err != nil {
		s.logFor(c.Request().Context()).Error("policy", "action", act, "err", err)
	}
	return ok && err == nil
}

// withRouteLead gives t the lead authorize read for this reading request's
// programme when t names that same programme, so the lead is not read
// again; any other target is left to the policy to read.
func withRouteLead(c echo.Context, t policy.Target) policy.Target {
	if rt, ok := c.Get(ctxTarget).(policy.Target); ok && t.LeadEmail == "" && t.ProgrammeID != 0 && t.ProgrammeID == rt.ProgrammeID {
		t.LeadEmail = rt.LeadEmail
	}
	return t
}

// targetOf loads what the route's path names; unknown IDs are 404.
func (s *Server) targetOf(c echo.Context, kind targetKind) (policy.Target, error) {
	ctx := c.Request().Context()
	var t policy.Target
	if kind == noTarget {
		return t, nil
	}
	id, err := idParam(c, "id")
	if err != nil {
		return t, err
	}
	account := func(id uint) error {
		ka, err := s.opts.Store.KeyAccountByID(ctx, id)
		if err != nil {
			return storeError(err, "key account")
		}
		t.KeyAccount, t.ProgrammeID = ka, ka.ProgrammeID
		return nil
	}
	action := func(id uint, of func(*store.Action) bool) error {
		a, err := s.opts.Store.ActionByID(ctx, id)
		if err == nil && !of(a) {
			err = store.ErrNotFound
		}
		if err != nil {
			return storeError(err, "action")
		}
		t.OwnerEmail = a.OwnerEmail
		return nil
	}
	switch kind {
	case programmeTarget:
		lead, err := s.opts.Store.ProgrammeLeadEmail(ctx, id)
		if err != nil {
			return t, storeError(err, "programme")
		}
		// The policy's lead check takes the lead from here, not the
		// database again.
		t.ProgrammeID, t.LeadEmail = id, lead
	case accountTarget:
		err = account(id)
	case accountAction:
		if err = account(id); err == nil {
			var aid uint
			if aid, err = idParam(c, "actionID"); err == nil {
				err = action(aid, func(a *store.Action) bool { return a.KeyAccountID == id })
			}
		}
	case workshopTarget, workshopAction:
		var w *store.Workshop
		if w, err = s.opts.Store.WorkshopByID(ctx, id); err != nil {
			return t, storeError(err, "workshop")
		}
		if err = account(w.KeyAccountID); err == nil && kind == workshopAction {
			var aid uint
			if aid, err = idParam(c, "actionID"); err == nil {
				err = action(aid, func(a *store.Action) bool { return a.Source == "workshop" && a.SourceID == w.ID })
			}
		}
	case actionTarget:
		var a *store.Action
		if a, err = s.opts.Store.ActionByID(ctx, id); err != nil {
			return t, storeError(err, "action")
		}
		if err = account(a.KeyAccountID); err == nil {
			t.OwnerEmail = a.OwnerEmail
		}
	case measureTarget:
		var m *store.Measure
		if m, err = s.opts.Store.MeasureByID(ctx, id); err != nil {
			return t, storeError(err, "measure")
		}
		var r *store.Review
		if r, err = s.opts.Store.ReviewByID(ctx, m.ReviewID); err != nil {
			return t, serverError(err)
		}
		t.ProgrammeID, t.ReviewID, t.OwnerEmail = r.ProgrammeID, r.ID, m.OwnerEmail
		// A measure about one key account is that account's work.
		ka, kerr := s.opts.Store.MeasureKeyAccount(ctx, m)
		switch {
		case kerr == nil:
			t.KeyAccount = ka
		case !errors.Is(kerr, store.ErrNotFound):
			err = serverError(kerr)
		}
	case reviewTarget, reviewMeasure:
		var r *store.Review
		if r, err = s.opts.Store.ReviewByID(ctx, id); err != nil {
			return t, storeError(err, "review")
		}
		t.ProgrammeID, t.ReviewID = r.ProgrammeID, r.ID
		if kind == reviewMeasure {
			var mid uint
			if mid, err = idParam(c, "measureID"); err != nil {
				return t, err
			}
			for _, m := range r.Measures {
				if m.ID == mid {
					t.OwnerEmail = m.OwnerEmail
				}
			}
			if t.OwnerEmail == "" {
				err = apiErr(http.StatusNotFound, "not_found", fmt.Sprintf("no measure %d in this review", mid))
			}
		}
	case jourFixeTarget:
		var j *store.JourFixe
		if j, err = s.opts.Store.JourFixeByID(ctx, id); err != nil {
			return t, storeError(err, "jour fixe")
		}
		t.ProgrammeID, t.JourFixeID = j.ProgrammeID, j.ID
	case enrolmentTarget:
		var e *store.Enrolment
		if e, err = s.opts.Store.Enrolment(ctx, id); err != nil {
			return t, storeError(err, "enrolment")
		}
		t.EmployeeID = e.EmployeeID
	case employeeTarget:
		if _, err = s.opts.Store.Employee(ctx, id); err != nil {
			return t, storeError(err, "employee")
		}
		t.EmployeeID = id
	case notificationTarget:
		var n *store.Notification
		if n, err = s.opts.Store.NotificationByID(ctx, id); err != nil {
			return t, storeError(err, "notification")
		}
		t.RecipientEmail = n.Recipient
	default:
		err = serverError(fmt.Errorf("unknown target kind %q", kind))
	}
	return t, err
}
