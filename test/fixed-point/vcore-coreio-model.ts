/** The register window's model and the access recorder moved to the library (`nla fpga build` measures cycles with them). */
export { CoreioModel, RecordingBus } from '../../hardware-models/fixed-point/vcore-coreio-model.js';
