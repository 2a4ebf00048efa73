/**
 * The `power` section of a hardware profile: what each component class draws and occupies, in SI.
 * power-estimate.ts turns it, with a compiled circuit, into static power, energies and area.
 *
 * The classes are those the circuit IR counts: a neuron's membrane with its amplifier (`neuron`; also
 * used for each microcircuit interneuron), its prospective rate unit (`rateUnit`, the transfer ρ
 * included), its error unit (`errorUnit`), one synapse cell with its weight storage and DAC (`synapse`),
 * one input low-pass (`inputFilter`), and one interface channel (`interface`: a DAC that sets an input
 * or an ADC that reads an output).
 *
 * Every field is a positive finite number (validate.ts). A profile whose components are mathematical
 * operations rather than circuits (the built-in `ideal`) has `power: null`, and the estimate says so
 * instead of inventing numbers.
 */
export interface PowerModel {
  /** The voltage every bias current is drawn across, volt: the core supply on a chip, rail to rail on a board (±12 V: 24 V). */
  supplyV: number;
  /** Static bias (quiescent) current of one component of each class, ampere. */
  biasCurrentA: PowerClassValues<'neuron' | 'rateUnit' | 'errorUnit' | 'synapse' | 'inputFilter'>;
  /** Silicon (or board) area of one component of each class, square metre (1 µm² = 10⁻¹² m², 1 mm² = 10⁻⁶ m²). */
  areaM2: PowerClassValues<'neuron' | 'rateUnit' | 'errorUnit' | 'synapse' | 'inputFilter' | 'interface'>;
  /** Energy of one interface conversion (an input value set by a DAC, an output read by an ADC or sent as an event), joule. */
  conversionEnergyJ: number;
  /**
   * Energy of one weight update of one plastic synapse, joule: for a digital register, one
   * read-modify-write by the plasticity processor (its share per synapse); for an analog capacitor, the
   * synapse's update circuit running for one membrane time constant.
   */
  plasticityUpdateEnergyJ: number;
}

/** One number per named component class. */
export type PowerClassValues<K extends string> = { [k in K]: number };

/** The bias-current classes, in the order reports list them. */
export const BIAS_CLASSES = ['neuron', 'rateUnit', 'errorUnit', 'synapse', 'inputFilter'] as const;

/** The area classes, in the order reports list them. */
export const AREA_CLASSES = ['neuron', 'rateUnit', 'errorUnit', 'synapse', 'inputFilter', 'interface'] as const;

/** Why a profile without a power section gets no estimate (the reports print it). */
export const NO_POWER_REASON =
  'the profile has no power section (power: null): its components are exact mathematical operations, not circuits that draw current (the ideal profile); extend a physical profile or give the profile a power section';
