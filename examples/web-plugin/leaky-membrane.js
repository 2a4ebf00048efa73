// An example workbench plugin (docs/web.md): a component model, registered by the page's plugin loader in
// the same registry a Node program uses (hardware-models/components/component-models.ts,
// `registerComponentModel`). It models a membrane whose leak conducts twice its nominal g_L (an extra leak
// path): the time constant τ_m = C/(2 g_L) is halved, rest level and rails as the built-in model's. The
// page's analog run uses it through the selected profile with `membrane.model: 'leaky-membrane'`.
System.register([], function (_export) {
  var LEAK_FACTOR = 2;
  return {
    execute: function () {
      _export('componentModel', {
        component: 'membrane',
        name: 'leaky-membrane',
        description: 'a membrane leaking through twice its nominal conductance (τ_m halved)',
        population: function (params, units) {
          var units_ = function (volts) { return (volts - units.restV) / units.voltsPerUnit; };
          return {
            // τ in model ms: C / (k g_L) seconds over the seconds per model ms
            tauMs: Float64Array.from(params, function (p) { return p.capacitanceF / (LEAK_FACTOR * p.leakConductanceS) / units.timeScale; }),
            theta: Float64Array.from(params, function (p) { return units_(p.restV); }),
            railLow: Float64Array.from(params, function (p) { return units_(p.railLowV); }),
            railHigh: Float64Array.from(params, function (p) { return units_(p.railHighV); }),
          };
        },
      });
    },
  };
});
