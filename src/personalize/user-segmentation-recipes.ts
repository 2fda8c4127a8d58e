/** Personalize user-segmentation recipes by their short name (`../shared/reference/personalize.md` §1). */
export const USER_SEGMENTATION_RECIPES = {
  'item-affinity': 'arn:aws:personalize:::recipe/aws-item-affinity',
  'item-attribute-affinity': 'arn:aws:personalize:::recipe/aws-item-attribute-affinity',
} as const;
export type UserSegmentationRecipe = keyof typeof USER_SEGMENTATION_RECIPES;
