/**
 * A network whose input rows carry packed text (textFeatures.ts): the text encoders
 * (textEncoders.ts) turn each batch into features, then the MLP's trunk and per-dataset heads
 * (network.ts) do the rest. Training goes through the same masked multi-head loop as numeric
 * data (trainLoop.ts) on tfjs autodiff: the fused WASM step knows dense layers only.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../backend';
import { Network, type NetworkSpec } from '../network';
import type { TextEncoders } from './textEncoders';

export class TextNetwork extends Network {
  constructor(
    tf: TF,
    spec: NetworkSpec,
    seed: number,
    readonly encoders: TextEncoders,
  ) {
    super(tf, { ...spec, inputs: encoders.layout.inputs, trunkInputs: encoders.layout.features }, seed);
  }

  protected override frontEnd(x: tfjs.Tensor2D, training: boolean): tfjs.Tensor2D {
    return this.encoders.encode(x, training);
  }

  override variables(): tfjs.Variable[] {
    return [...super.variables(), ...this.encoders.variables()];
  }

  override kernels(): tfjs.Variable[] {
    return [...super.kernels(), ...this.encoders.kernels()];
  }

  override dispose(): void {
    // Network.dispose would dispose variables() (the encoders' too): each part disposes its own.
    for (const v of super.variables()) v.dispose();
    this.encoders.dispose();
  }
}
