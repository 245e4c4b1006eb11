// The catalog of downloadable backbones: Keras MobileNets converted to tfjs layers models, hosted by
// Google (the same files Teachable Machine and tfjs-examples load). Layers models, so they can be cut
// and fine-tuned (graph models cannot be trained).

/** Network input = pixel * scale + offset, after resizing to size × size (pixels 0..255, RGB). */
export interface Preprocessing {
  size: number;
  scale: number;
  offset: number;
}

export interface BackboneEntry {
  /** e.g. 'mobilenet_v2_0.35' */
  id: string;
  title: string;
  family: 'mobilenet_v1' | 'mobilenet_v2';
  alpha: number;
  inputSize: number;
  url: string;
  /** Spatial feature map the classifier head is built on: V2 'out_relu', V1 'conv_pw_13_relu'. */
  featureLayer: string;
  preprocessing: Preprocessing;
}

/**
 * Keras MobileNets expect [-1, 1]. Teachable Machine divides by 127 (pixel/127 - 1, a slight
 * over-range); we use the exact Keras `preprocess_input`: pixel/127.5 - 1.
 */
export const MOBILENET_PREPROCESSING: Preprocessing = { size: 224, scale: 1 / 127.5, offset: -1 };

const TM_BUCKET = 'https://storage.googleapis.com/teachable-machine-models';
const TFJS_BUCKET = 'https://storage.googleapis.com/tfjs-models/tfjs';

function v2(alpha: number): BackboneEntry {
  // Teachable Machine formats the V2 alpha with toFixed(2) and no exception, so α = 1 is "1.00".
  // Unverified (no network here): one public project loads "..._1.0_224_no_top" from the same bucket
  // and Keras names its own file "..._1.0_224_no_top.h5". If "1.00" 404s, "1.0" is the one to try.
  const a = alpha.toFixed(2);
  return {
    id: `mobilenet_v2_${a}`,
    title: `MobileNet V2 α=${a} (224, ImageNet, no top)`,
    family: 'mobilenet_v2',
    alpha,
    inputSize: 224,
    url: `${TM_BUCKET}/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${a}_224_no_top/model.json`,
    featureLayer: 'out_relu',
    preprocessing: { ...MOBILENET_PREPROCESSING },
  };
}

function v1(alpha: number): BackboneEntry {
  // tfjs-models spells V1 alphas 0.25, 0.50, 0.75, 1.0 (toFixed(2) except "1.0"), as TM and
  // tfjs-examples load them. The files include the ImageNet top; we cut at conv_pw_13_relu.
  const a = alpha === 1 ? '1.0' : alpha.toFixed(2);
  return {
    id: `mobilenet_v1_${alpha.toFixed(2)}`,
    title: `MobileNet V1 α=${alpha.toFixed(2)} (224, ImageNet)`,
    family: 'mobilenet_v1',
    alpha,
    inputSize: 224,
    url: `${TFJS_BUCKET}/mobilenet_v1_${a}_224/model.json`,
    featureLayer: 'conv_pw_13_relu',
    preprocessing: { ...MOBILENET_PREPROCESSING },
  };
}

export const BACKBONES: BackboneEntry[] = [v2(0.35), v2(0.5), v2(0.75), v2(1), v1(0.25), v1(0.5), v1(0.75), v1(1)];

/**
 * Used when the user names no backbone (the high-speed algorithm). MobileNet V2 α=0.35: the smallest
 * download (~1.7 MB of weights, ~0.4 M params) with ImageNet top-1 ≈ 60 % against ≈ 50 % for V1 α=0.25
 * at a similar cost (~59 vs ~41 M multiply-adds); its 1280-channel out_relu map + global average
 * pooling gives a compact embedding, which is also Teachable Machine's V2 default alpha.
 */
export const DEFAULT_BACKBONE = 'mobilenet_v2_0.35';

export function findBackbone(id: string, catalog: BackboneEntry[] = BACKBONES): BackboneEntry | undefined {
  return catalog.find((b) => b.id === id);
}
