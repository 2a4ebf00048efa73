// An example workbench plugin (docs/web.md): a hardware profile, exactly what a profile JSON file holds for
// `nla simulate --profile file.json` in Node, exported by a module in SystemJS's System.register format
// (what `tsc --module system` writes from an ES module). It extends the ideal profile with synapses that are
// 3-bit DACs, so the analog run departs from the digital reference by the weights' quantisation error.
System.register([], function (_export) {
  return {
    execute: function () {
      _export('profile', {
        format: 'nla-profile/1',
        name: 'coarse-weights',
        description: 'the ideal profile with 3-bit DAC synapses (a workbench plugin)',
        extends: 'ideal',
        synapses: { realisation: { kind: 'dac', bits: 3, fullScale: 'auto' } },
      });
    },
  };
});
