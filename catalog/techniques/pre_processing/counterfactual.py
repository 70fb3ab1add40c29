"""Counterfactual data augmentation for tabular data: add a copy of each row with the group swapped."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import PreProcessorMixin, Resampled

from fairmend.errors import NotExecutableError

from ._common import as_frame, check_groups


class CounterfactualDataAugmentation(PreProcessorMixin):
    """Duplicate every training row once per other value of the protected attribute, label unchanged.

    The tabular analogue of swapping gendered words in text (Lu et al. 2020): the augmented data
    contain each row under every group with the same label, so in the training data the label is
    independent of the protected attribute *as a feature*, and a learner has no reason to use it
    (for logistic regression its coefficients become equal across groups: predictions no longer
    change when only the attribute is flipped). It is only meaningful when the protected
    attribute is one of the model's features: the columns of X named like the sensitive features
    are swapped; if X contains none of them the technique raises :class:`NotExecutableError`
    (duplicating rows would change nothing). Proxies of the attribute are not touched, so
    disparities that flow through other features remain. Only one protected attribute can be
    swapped at a time.

    References
    ----------
    Lu, K., Mardziel, P., Wu, F., Amancharla, P. & Datta, A. (2020). Gender Bias in Neural Natural
    Language Processing. Logic, Language, and Security, LNCS 12300, Springer.
    """

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any) -> CounterfactualDataAugmentation:
        X = as_frame(X)
        check_groups(sensitive_features, len(X), technique="counterfactual data augmentation")
        if isinstance(sensitive_features, pd.DataFrame):
            names = [str(c) for c in sensitive_features.columns]
        elif isinstance(sensitive_features, pd.Series) and sensitive_features.name is not None:
            names = [str(sensitive_features.name)]
        else:
            names = []
        present = [c for c in X.columns if str(c) in names]
        if len(present) != 1:
            raise NotExecutableError(
                "counterfactual data augmentation swaps the protected attribute inside X, so X must contain "
                f"exactly one column named like the sensitive feature(s) {names or '(unnamed)'}; found "
                f"{present or 'none'} (run with the protected attribute as a feature)"
            )
        self.column_ = present[0]
        self.values_ = list(pd.unique(X[self.column_]))
        return self

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        self.fit(X, y, sensitive_features=sensitive_features)
        X = as_frame(X).reset_index(drop=True)
        y = np.asarray(y)
        A = sensitive_features.reset_index(drop=True)
        frames, labels, groups = [X], [y], [A]
        col = self.column_
        for shift in range(1, len(self.values_)):
            mapping = {v: self.values_[(i + shift) % len(self.values_)] for i, v in enumerate(self.values_)}
            swapped = X.copy()
            swapped[col] = X[col].map(mapping).astype(X[col].dtype)
            A_sw = A.copy()
            if isinstance(A_sw, pd.DataFrame):
                A_sw[col] = swapped[col].to_numpy()
            else:
                A_sw = pd.Series(swapped[col].to_numpy(), name=A.name)
            frames.append(swapped)
            labels.append(y)
            groups.append(A_sw)
        return Resampled(
            X=pd.concat(frames, ignore_index=True),
            y=np.concatenate(labels),
            sensitive_features=pd.concat(groups, ignore_index=True),
        )
