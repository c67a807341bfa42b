p='workflows/campaignManager.ts'
s=open(p).read()
def rep(old,new,count=1):
    global s
    assert s.count(old)==count,(old[:100],s.count(old))
    s=s.replace(old,new)

rep("""// History stays bounded: the state is compact (state.ts), a group's config travels by path (the prepareGroupRun
// activity saves it and returns its configRef), and the workflow continues-as-new at a step boundary when the
// history is long and, in executions that have the mid-step patch, also inside a step: once the history is long it
// starts no new group, lets the groups in flight end, and hands the state to the next execution.""","""// History stays bounded: the state is compact (state.ts), a group's config travels by path (the prepareGroupRun
// activity saves it and returns its configRef), and the workflow continues-as-new at a step boundary when the
// history is long and, in executions that have the mid-step patch, also inside a step: once the history is long it
// starts no new group, waits only for groups still being started (an activity or a child start in flight), and
// hands its state to the next execution. Group runs keep running across the boundary: they are started with
// ParentClosePolicy.ABANDON and each signals its summary to the campaign's workflow id when it ends (groupRunEnded),
// which reaches whichever execution is current; the campaign's cancel asks for their cancel itself.""")
rep("""  condition,
  isCancellation,""","""  condition,
  getExternalWorkflowHandle,
  isCancellation,""")
rep("""  /** Bumped on every change the step loop waits for. */
  private tick = 0;
  private inFlight = 0;
  /** Groups started in this execution (a new execution continues-as-new only after it did some work). */
  private launchedHere = 0;
  /** The history is long: no new group starts; once the groups in flight end, the workflow continues-as-new. */
  private draining = false;""","""  /** Bumped on every change the step loop waits for. */
  private tick = 0;
  /** Groups started in this execution (a new execution continues-as-new only after it did some work). */
  private launchedHere = 0;
  /**
   * The history is long: no new group starts; once no group is being started the workflow continues-as-new (runs
   * that are running go on, their ends arrive as groupRunEnded signals).
   */
  private handingOver = false;
  /**
   * Groups this execution is starting or awaiting, each with the token of its launch: a launch applies its outcome
   * only while it is the group's current one (a groupRunEnded signal ends it, a retry replaces it).
   */
  private readonly launches = new Map<GroupState, symbol>();
  /** Groups of started steps by run id (groupRunEnded names the run). */
  private groupsByRun = new Map<string, GroupState>();""")

# signal handler after resume()
rep("""  // ---- updates (each with its validator: a refused update changes nothing and is not in the history)""","""  /**
   * A group's run ended (groupRunEnded, sent by the run; executions with the mid-step patch): the group ends with
   * its summary, whichever execution started it. An end already known (the child's own completion) is ignored.
   */
  groupRunEnded(summary: RunSummary): void {
    if (!this.continueMidStep) return;
    const g = this.groupOfRun(summary.runId);
    if (!g || (g.status !== 'running' && g.status !== 'starting')) return;
    this.launches.delete(g);
    this.endGroup(g, summary);
  }

  // ---- updates (each with its validator: a refused update changes nothing and is not in the history)""")

rep("""    } catch (err) {
      if (!isCancellation(err)) throw err;
      await CancellationScope.nonCancellable(() => condition(() => this.inFlight === 0));
      this.state.phase = 'CANCELLED';""","""    } catch (err) {
      if (!isCancellation(err)) throw err;
      await CancellationScope.nonCancellable(async () => {
        // Runs started by an earlier execution are not children of this one: their cancel is asked for here
        // (this execution's own children are cancelled with the scope). Each reports its end when cancelled.
        if (this.continueMidStep) await Promise.all(this.inheritedRuns().map((runId) => getExternalWorkflowHandle(runWorkflowId(runId)).cancel().catch(() => undefined)));
        await condition(() => this.inFlight() === 0);
      });
      this.state.phase = 'CANCELLED';""")
rep("""      if (this.ranHere && st.steps[st.current].status === 'pending' && this.inFlight === 0 && this.historyLong()) return this.nextInput();""","""      if (this.ranHere && st.steps[st.current].status === 'pending' && this.inFlight() === 0 && this.historyLong()) return this.nextInput();""")
rep("""    for (;;) {
      if (this.drained()) return this.nextInput();
      this.pump();
      if (this.inFlight === 0 && !this.hasPending()) return undefined;""","""    for (;;) {
      if (this.readyToHandOver()) return this.nextInput();
      this.pump();
      if (this.inFlight() === 0 && !this.hasPending()) return undefined;""")
rep("""      if (this.drained()) return 'continue';""","""      if (this.readyToHandOver()) return 'continue';""")
rep("""    if (this.state.paused || this.draining) return;""","""    if (this.state.paused || this.handingOver) return;""")
rep("""    for (const [si, g] of ready) {
      if (this.inFlight >= limit) break;
      this.inFlight++;
      this.launchedHere++;""","""    let inFlight = this.inFlight();
    for (const [si, g] of ready) {
      if (inFlight >= limit) break;
      inFlight++;
      this.launchedHere++;""")

# launch body
rep("""  /** One group: its run input (a new run, or a restart of its failed run), then its child runWorkflow to the end. */
  private async launch(si: number, g: GroupState): Promise<void> {
    const step = this.spec.steps[si];
    const runId = g.runId ?? groupRunId(this.spec.name, step.name, g.id);
    try {""","""  /**
   * One group: its run input (a new run, or a restart of its failed run), then its child runWorkflow to the end (or
   * until the run's groupRunEnded signal, or until this execution hands over to the next).
   */
  private async launch(si: number, g: GroupState): Promise<void> {
    const step = this.spec.steps[si];
    const runId = g.runId ?? groupRunId(this.spec.name, step.name, g.id);
    const token = Symbol(runId);
    this.launches.set(g, token);
    // Executions without the mid-step patch own every outcome, as they always did.
    const current = () => !this.continueMidStep || this.launches.get(g) === token;
    try {""")
rep("""      g.executions++;
      g.retry = undefined;
      g.status = 'running';
      g.message = undefined;
      this.changed();
      const child = await startChild(runWorkflow, {
        workflowId: runWorkflowId(runId),
        taskQueue: orchestratorQueue(this.input.taskQueuePrefix),
        args: [runInput],
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,""","""      g.executions++;
      g.retry = undefined;
      g.message = undefined;
      // A group counts as running once its run has started (continue-as-new waits for starts in flight).
      if (!this.continueMidStep) {
        g.status = 'running';
        this.changed();
      }
      const child = await startChild(runWorkflow, {
        workflowId: runWorkflowId(runId),
        taskQueue: orchestratorQueue(this.input.taskQueuePrefix),
        args: [this.continueMidStep ? { ...runInput, campaignWorkflowId: workflowInfo().workflowId } : runInput],
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        // Mid-step continue-as-new closes this execution while runs go on: they must outlive it.
        parentClosePolicy: this.continueMidStep ? ParentClosePolicy.ABANDON : ParentClosePolicy.REQUEST_CANCEL,""")
rep("""      const summary: RunSummary = await child.result();
      g.status = summary.state === 'SUCCEEDED' ? 'SUCCEEDED' : summary.state === 'DELETED' ? 'DELETED' : 'FAILED';
      g.message = g.status === 'SUCCEEDED' ? undefined : shortMessage(summary.message);
    } catch (err) {
      g.status = isCancellation(err) ? 'DELETED' : 'FAILED';
      g.message = shortMessage(errorMessage(err));
    } finally {
      this.inFlight--;
      this.changed();
    }
  }""","""      if (this.continueMidStep && current()) {
        g.status = 'running';
        this.changed();
      }
      const summary: RunSummary = await child.result();
      if (current()) this.endGroup(g, summary);
    } catch (err) {
      if (current()) {
        g.status = isCancellation(err) ? 'DELETED' : 'FAILED';
        g.message = shortMessage(errorMessage(err));
      }
    } finally {
      if (this.launches.get(g) === token) this.launches.delete(g);
      this.changed();
    }
  }

  private endGroup(g: GroupState, summary: RunSummary): void {
    g.status = summary.state === 'SUCCEEDED' ? 'SUCCEEDED' : summary.state === 'DELETED' ? 'DELETED' : 'FAILED';
    g.message = g.status === 'SUCCEEDED' ? undefined : shortMessage(summary.message);
    this.changed();
  }""")

rep("""  /** Starts draining when it is time; true once nothing is in flight any more. */
  private drained(): boolean {
    if (!this.draining && this.continueDue()) this.draining = true;
    return this.draining && this.inFlight === 0;
  }""","""  /** Stops starting groups when it is time; true once no group is being started (runs that run go on). */
  private readyToHandOver(): boolean {
    if (!this.handingOver && this.continueDue()) this.handingOver = true;
    return this.handingOver && this.count('starting') === 0;
  }""")
rep("""    // With the mid-step patch the loop also wakes when it is time to drain, so no new group starts after that.
    await condition(() => this.tick !== seen || (!this.draining && this.continueDue()));""","""    // With the mid-step patch the loop also wakes when it is time to hand over, so no new group starts after that.
    await condition(() => this.tick !== seen || (!this.handingOver && this.continueDue()));""")
rep("""  private inFlightOf(ss: StepState): number {
    return ss.groups.filter((g) => g.status === 'starting' || g.status === 'running').length;
  }""","""  private inFlightOf(ss: StepState): number {
    return ss.groups.filter((g) => g.status === 'starting' || g.status === 'running').length;
  }

  /** Groups being started or running, over all steps (what the concurrency limit counts). */
  private inFlight(): number {
    return this.count('starting') + this.count('running');
  }

  private count(status: GroupStatus): number {
    let n = 0;
    for (const ss of this.state.steps) for (const g of ss.groups) if (g.status === status) n++;
    return n;
  }

  /** Run ids of groups running whose runs an earlier execution started. */
  private inheritedRuns(): string[] {
    const out: string[] = [];
    this.state.steps.forEach((ss) => {
      for (const g of ss.groups) if (g.status === 'running' && !this.launches.has(g)) out.push(g.runId ?? groupRunId(this.spec.name, ss.name, g.id));
    });
    return out;
  }

  private groupOfRun(runId: string): GroupState | undefined {
    let g = this.groupsByRun.get(runId);
    if (!g) {
      this.groupsByRun = new Map();
      for (const ss of this.state.steps) for (const x of ss.groups) this.groupsByRun.set(x.runId ?? groupRunId(this.spec.name, ss.name, x.id), x);
      g = this.groupsByRun.get(runId);
    }
    return g;
  }""")
open(p,'w').write(s)
print("ok")
