// The one list of config keys tbps knows: BPS's documented keys (ctrl_bps submit YAML, its defaults and WMS plugins)
// plus tbps's own. Used to warn about a misspelled key (a near miss of a known key by edit distance) and to type
// keys whose value must be a single string (templates, names, paths). A unit test keeps config/bps_defaults.yaml in it.

/** Keys whose value is one string (or number), never a list or a section: names, paths, templates, commands. */
export const STRING_KEYS = [
  'operator', 'project', 'campaign', 'pipelineYaml', 'payloadName', 'butlerConfig', 'output', 'outputRun',
  'dataQuery', 'submitPath', 'computeSite', 'computeCloud', 'wmsServiceClass', 'qgraphFile', 'uniqProcName', 'timestamp',
  'clusterAlgorithm', 'templateDataId', 'subDirTemplate', 'qgraphFileTemplate', 'createQuantumGraph', 'runQuantumCommand',
  'updateQuantumGraph', 'pipetaskInput', 'pipetaskOutput', 'pipetaskDataQuery', 'pipetaskExe', 'butlerExe',
  'defaultPreCmdOpts', 'qgraphPreCmdOpts', 'initPreCmdOpts', 'runPreCmdOpts', 'updateQgraphPreCmdOpts', 'finalPreCmdOpts',
  'extraQgraphOptions', 'extraInitOptions', 'extraRunQuantumOptions', 'extraUpdateQgraphOptions', 'extraAggregateOptions',
  'extraTransferOptions', 'whenSaveJobQgraph', 'idLinkPath', 'command1', 'updateOutputChain', 'transferFromGraphCommand',
  'aggregateGraphCommand', 'implementation', 'clusterTemplate', 'findDependencyMethod', 'outCollection',
] as const;

/** Every key tbps or BPS reads somewhere (any section). */
export const KNOWN_KEYS: readonly string[] = [
  ...STRING_KEYS,
  // input collections: a comma list or a YAML list (joined with ',' where a command names it)
  'inCollection',
  // sections
  'payload', 'pipetask', 'cluster', 'site', 'cloud', 'finalJob', 'executionButler', 'bps_cmdline', 'bps_defined', 'syntheticGraph',
  'customJob', 'remoteBuild',
  // per-job values
  'requestMemory', 'requestMemoryMax', 'memoryMultiplier', 'memoryLimit', 'requestCpus', 'requestDisk', 'requestWalltime',
  'numberOfRetries', 'retryUnlessExit', 'abortOnValue', 'priority', 'concurrencyLimit', 'queue', 'environment', 'preemptible',
  'releaseExpr', 'profile', 'attrs', 'accountingGroup', 'accountingUser', 'nodeset', 'overwriteJobFiles',
  // run shape and files
  'includeConfigs', 'bpsUseShared', 'runInit', 'saveDot', 'saveGenericWorkflow', 'saveClusteredQgraph', 'validateClusteredQgraph',
  'useLazyCommands', 'makeIdLink', 'useNodeIdInClusterName', 'whenRun', 'whenSetup', 'whenCreate', 'bpsBatchSubmission',
  'fileDistributionEndPoint', 'maxJobsPerTask', 'jobInitDir', 'jobLogDir', 'jobOutputDir', 'inputQgraphFile',
  // clustering
  'pipetasks', 'dimensions', 'equalDimensions', 'partitionDimensions', 'partitionMaxClusters', 'partitionMaxSize',
  // HTCondor provisioning (ctrl_bps_htcondor)
  'provisionResources', 'provisioningMaxWallTime', 'provisioningNodeCount', 'provisioningScript', 'provisioningScriptConfig',
  'provisioningScriptConfigPath',
  // tbps
  'jobBatchSize', 'jobBatchWindow', 'jobHeartbeatTimeout', 'maxBatchesInFlight', 'wmsPollSeconds', 'htcondorPollSeconds', 'htcondorSubmitCommands',
  'htcondorCommandPrefix', 'slurmCommandPrefix', 'slurmSubmitOptions', 'errorClasses', 'defaultErrorClasses',
  // per-site scheduler (core/run/slotPolicy.ts): site.<name>.maxRunningJobs; set on a campaign's group runs
  'maxRunningJobs', 'campaignPriority', 'campaignMaxRunningJobs',
];

const KNOWN = new Set(KNOWN_KEYS);
const BY_LOWER = new Map(KNOWN_KEYS.map((k) => [k.toLowerCase(), k]));
/** Known keys by their first letter (lower case): a misspelling rarely changes the first letter. */
const BY_INITIAL = new Map<string, string[]>();
for (const k of new Set(KNOWN_KEYS)) {
  const i = k[0].toLowerCase();
  BY_INITIAL.set(i, [...(BY_INITIAL.get(i) ?? []), k]);
}

export function isKnownKey(key: string): boolean {
  return KNOWN.has(key);
}

/** Levenshtein distance, stopping early once it exceeds `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The known key an unknown key most likely meant (same letters in another case, or, with the same first letter,
 * within 1 edit for keys of 5-8 letters, 2 for 9-12, 3 for longer ones), or undefined. Short keys are never guessed: they are too often the user's own.
 */
const guesses = new Map<string, string | undefined>();

export function likelyKey(key: string): string | undefined {
  if (KNOWN.has(key)) return undefined;
  if (guesses.has(key)) return guesses.get(key);
  const guess = guessKey(key);
  if (guesses.size < 10000) guesses.set(key, guess);
  return guess;
}

function guessKey(key: string): string | undefined {
  const same = BY_LOWER.get(key.toLowerCase());
  if (same) return same;
  if (key.length < 5) return undefined;
  const max = key.length <= 8 ? 1 : key.length <= 12 ? 2 : 3;
  let best: string | undefined;
  let bestD = max + 1;
  const lower = key.toLowerCase();
  for (const k of BY_INITIAL.get(lower[0]) ?? []) {
    const d = distance(lower, k.toLowerCase(), max);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}
