// Where `pipetask` and `butler` come from, as ctrl_bps's defaults say: `${CTRL_MPEXEC_DIR}/bin/pipetask` and
// `${DAF_BUTLER_DIR}/bin/butler` when those variables are set (an EUPS/site stack sets them), else the names alone
// (found on PATH; tbps puts its venv's bin/ first). A layer just above config/bps_defaults.yaml, so a WMS default, the
// submit YAML or the command line still wins; its values are recorded with the source STACK_LOCATION_SOURCE.
// Pure: the environment is passed in.
import { fileLayer, type Layer } from './merge.js';

/** Source recorded for the values of this layer (messages name it like a file). */
export const STACK_LOCATION_SOURCE = 'defaults (stack location from the environment)';

/** Config key -> the variable naming the package directory and the executable below its bin/. */
const EXECUTABLES: ReadonlyArray<{ key: string; variable: string; program: string }> = [
  { key: 'pipetaskExe', variable: 'CTRL_MPEXEC_DIR', program: 'pipetask' },
  { key: 'butlerExe', variable: 'DAF_BUTLER_DIR', program: 'butler' },
];

/** The layer for this environment: empty when neither variable is set (the built-in defaults then say PATH). */
export function stackLocationLayer(env: Record<string, string | undefined>): Layer {
  const values: Record<string, string> = {};
  for (const { key, variable, program } of EXECUTABLES) {
    const dir = env[variable];
    // Expanded now (the client's environment), so workers started elsewhere run the same executable; braces in the
    // path are written doubled, so they stay literal.
    if (dir !== undefined && dir.trim() !== '') values[key] = `${dir.replace(/\/+$/, '').replace(/[{}]/g, (b) => b + b)}/bin/${program}`;
  }
  return fileLayer(values, STACK_LOCATION_SOURCE);
}
