/**
 * `POFLOW_MODEL_WORKFLOW_SIZE` (`small`, `medium`, `large`...): fast-check's base size, for longer
 * generated scenarios. Import it before flexport-scenario: an arbitrary takes the size when built.
 */
import fc from 'fast-check';

const size = process.env.POFLOW_MODEL_WORKFLOW_SIZE as fc.Size | undefined;
if (size) fc.configureGlobal({ ...fc.readConfigureGlobal(), baseSize: size });
